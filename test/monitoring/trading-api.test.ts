// Goal: the trading API reads positions, P&L, one order and the ledger's history, and acts (cancel,
// close) only for an authenticated principal, never for a name in the body, and only on requests no
// other site's page could send. Method: app.inject() over a FakeTradingSource.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDashboardApp, type DashboardFixture } from './dashboard-fixture.js';

let fixture: DashboardFixture;
beforeEach(async () => {
  fixture = await createDashboardApp();
  fixture.trading.orderDetails.set('o1', {
    order: {
      id: 'o1',
      signalId: 's1',
      clientOrderId: 'k1',
      exchangeOrderId: '7',
      market: 'BTCIRT',
      side: 'buy',
      execution: 'limit',
      state: 'ACCEPTED',
      amount: '1',
      filledAmount: '0',
      averagePrice: null,
      createdAtMs: 1,
      updatedAtMs: 2,
      phase: 'verify',
    },
    strategy: 'trend',
    fills: [],
    audit: [{ seq: 1, fromState: null, toState: 'PREPARED', cause: 'signal s1', atMs: 1 }],
    postings: [],
  });
});
afterEach(async () => {
  await fixture.app.close();
});

const post = (url: string, payload?: unknown, headers: Record<string, string> = {}) =>
  fixture.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...headers },
    ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
  });

describe('trading API', () => {
  it('shows one order with its audit trail, 404 for an unknown one', async () => {
    const found = await fixture.app.inject({ method: 'GET', url: '/api/orders/o1' });
    expect(found.statusCode).toBe(200);
    expect(found.json().audit[0].cause).toBe('signal s1');
    expect((await fixture.app.inject({ method: 'GET', url: '/api/orders/nope' })).statusCode).toBe(404);
  });

  it('reads the ledger history of one account and refuses a malformed one', async () => {
    const ok = await fixture.app.inject({
      method: 'GET',
      url: '/api/ledger/history?account=wallet:btc:available&limit=5',
    });
    expect(ok.statusCode).toBe(200);
    expect(fixture.trading.historyQueries).toEqual([{ account: 'wallet:btc:available', limit: 5 }]);
    const bad = await fixture.app.inject({ method: 'GET', url: '/api/ledger/history?account=DROP%20TABLE' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().problems[0]).toMatch(/^account: /);
  });

  it('cancels an order as the authenticated principal and refuses a body naming someone', async () => {
    const refused = await post('/api/orders/o1/cancel', { by: 'mallory' });
    expect(refused.statusCode).toBe(400);
    expect(fixture.trading.cancels).toEqual([]);
    const done = await post('/api/orders/o1/cancel', {});
    expect(done.json()).toMatchObject({ orderId: 'o1', result: 'cancelled' });
    expect(fixture.trading.cancels).toEqual([{ id: 'o1', by: 'local' }]);
    expect((await post('/api/orders/nope/cancel', {})).statusCode).toBe(404);
  });

  it('queues close and cancel for a strategy, and refuses a form post or a bad symbol', async () => {
    const queued = await post('/api/positions/close', { symbol: 'BTCIRT', strategy: 'trend' });
    expect(queued.statusCode).toBe(202);
    expect(fixture.trading.actions).toEqual([
      { action: 'close', symbol: 'BTCIRT', strategy: 'trend', by: 'local' },
    ]);
    const form = await fixture.app.inject({
      method: 'POST',
      url: '/api/positions/cancel',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'symbol=BTCIRT',
    });
    expect(form.statusCode).toBe(403);
    expect((await post('/api/positions/cancel', { symbol: 'btc' })).statusCode).toBe(400);
    expect((await post('/api/positions/cancel', { symbol: 'BTCIRT', by: 'x' })).statusCode).toBe(400);
    expect(fixture.trading.actions).toHaveLength(1);
  });
});
