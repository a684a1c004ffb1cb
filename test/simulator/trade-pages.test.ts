// Goal: the simulator lists the user's trades as Nobitex does (reference 5.7 and the general pagination
// of DOCS _general_notes.md): the newest 30 a page, with or without fromId (which only drops trades
// below it), older pages through `page`, `hasNext` while more exist; fills can be split into many
// trades (splitTrades), and the 10-second duplicate guard refuses an identical order.
// Method: the simulator on a FakeClock, requests through app.inject.
import { afterEach, describe, expect, it } from 'vitest';
import { call, type Harness, harness } from './helpers.js';

let h: Harness;
afterEach(async () => h.sim.close());

const buy = { type: 'buy', execution: 'market', srcCurrency: 'btc', dstCurrency: 'rls', amount: '0.004' };
const ids = (body: Record<string, unknown>) => (body.trades as { id: number }[]).map((t) => t.id);

describe('simulator trade list pages', () => {
  it('answers 30 trades a page, newest first, and walks back with page while hasNext', async () => {
    h = harness();
    h.sim.chaos.add({ kind: 'splitTrades', path: '/market/orders/add', pieces: 40, countMax: 1 });
    expect((await call(h.sim, 'POST', '/market/orders/add', buy)).body.status).toBe('ok');
    const first = await call(h.sim, 'GET', '/market/trades/list?srcCurrency=btc&dstCurrency=rls');
    const second = await call(h.sim, 'GET', '/market/trades/list?srcCurrency=btc&dstCurrency=rls&page=2');
    expect(ids(first.body)).toHaveLength(30);
    expect(first.body.hasNext).toBe(true);
    expect(ids(second.body)).toHaveLength(10);
    expect(second.body.hasNext).toBe(false);
    const all = [...ids(first.body), ...ids(second.body)];
    expect(all).toEqual([...all].sort((a, b) => b - a));
    expect(new Set(all).size).toBe(40);
  });

  it('with fromId answers the newest of the trades at or above it, the same way', async () => {
    h = harness();
    h.sim.chaos.add({ kind: 'splitTrades', path: '/market/orders/add', pieces: 40, countMax: 1 });
    await call(h.sim, 'POST', '/market/orders/add', buy);
    const all = h.sim.trades().map((t) => t.id);
    const fromId = Math.min(...all) + 2;
    const { body } = await call(
      h.sim,
      'GET',
      `/market/trades/list?srcCurrency=btc&dstCurrency=rls&fromId=${fromId}`,
    );
    expect(ids(body)[0]).toBe(Math.max(...all));
    expect(body.hasNext).toBe(true);
    const last = await call(
      h.sim,
      'GET',
      `/market/trades/list?srcCurrency=btc&dstCurrency=rls&fromId=${fromId}&page=2`,
    );
    expect(Math.min(...ids(last.body))).toBe(fromId);
  });

  it.each(['0', '101', 'x'])('refuses page=%s with a ParseError', async (page) => {
    h = harness();
    const { statusCode, body } = await call(h.sim, 'GET', `/market/trades/list?page=${page}`);
    expect(statusCode).toBe(400);
    expect(body.code).toBe('ParseError');
  });

  it('refuses an identical order within 10 s (DuplicateOrder) unless pro, and takes it after', async () => {
    h = harness();
    expect((await call(h.sim, 'POST', '/market/orders/add', buy)).body.status).toBe('ok');
    const refused = await call(h.sim, 'POST', '/market/orders/add', {
      ...buy,
      clientOrderId: 'other-signal',
    });
    expect(refused.body).toMatchObject({ status: 'failed', code: 'DuplicateOrder' });
    expect((await call(h.sim, 'POST', '/market/orders/add', { ...buy, pro: 'yes' })).body.status).toBe('ok');
    await h.clock.advance(10_000);
    expect((await call(h.sim, 'POST', '/market/orders/add', buy)).body.status).toBe('ok');
  });
});
