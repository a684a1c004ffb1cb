// Goal: AdapterVerificationGateway classifies every place outcome as the three-phase protocol
// needs it (accepted / rejected / notSent with a wait / unknown) and maps reads, 404 → null, market
// rules and wallets. Method: scripted loopback server behind the real stack on a FakeClock; each
// outcome is produced by the failure that causes it in production.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { Decimal } from '../../src/core/decimal.js';
import {
  AdapterVerificationGateway,
  type EnhancedAdapterOptions,
  type EnhancedAdapterStack,
} from '../../src/exchange/enhanced-nobitex-adapter/index.js';
import type { PlaceOrderRequest } from '../../src/exchange/transaction-verification/gateway.js';
import { buildStack, drive } from './helpers/adapter-harness.js';
import * as P from './helpers/nobitex-payloads.js';
import {
  closedPortUrl,
  type RecordedRequest,
  type ScriptedServer,
  startScriptedServer,
} from './helpers/scripted-server.js';

const BTC_RLS = { base: 'btc', quote: 'rls' } as const;
const ROUTES: Record<string, string> = {
  'GET /market/stats': P.MARKET_STATS,
  'GET /v2/options': P.OPTIONS,
  'POST /market/orders/add': P.ORDER_ADD_OK,
  'POST /market/orders/status': P.ORDER_STATUS_MARKET,
  'GET /market/orders/list': P.ORDERS_LIST,
  'POST /market/orders/update-status': P.CANCEL_OK,
  'GET /market/trades/list': P.USER_TRADES,
  'GET /users/wallets/list': P.WALLETS,
};
const routeKey = (r: RecordedRequest) => `${r.method} ${r.path.split('?')[0]}`;
const normal = (r: RecordedRequest) => {
  const body = ROUTES[routeKey(r)];
  return body === undefined ? { status: 404, body: P.ORDER_NOT_FOUND } : { body };
};
const REQUEST: PlaceOrderRequest = {
  market: BTC_RLS,
  side: 'buy',
  execution: 'limit',
  amount: new Decimal('0.6'),
  price: new Decimal('520000000'),
  clientOrderId: 'order1',
};

let server: ScriptedServer;
let clock: FakeClock;
let stack: EnhancedAdapterStack;
const gatewayFor = (options: EnhancedAdapterOptions = {}, baseUrl = server.url) => {
  stack = buildStack({ baseUrls: [baseUrl], clock, token: P.TOKEN, options });
  return new AdapterVerificationGateway({ adapter: stack.adapter, clock });
};
const placeRequests = () => server.requests.filter((r) => routeKey(r) === 'POST /market/orders/add').length;

beforeEach(async () => {
  server = await startScriptedServer(normal);
  clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
});
afterEach(async () => {
  await stack?.adapter.close();
  await server.close();
});

describe('placeOrder outcome', () => {
  it('accepted: the order the exchange answered, mapped', async () => {
    const outcome = await gatewayFor().placeOrder(REQUEST);
    expect(outcome.kind).toBe('accepted');
    if (outcome.kind !== 'accepted') return;
    expect(outcome.order).toMatchObject({ id: '25', clientOrderId: 'order1', status: 'Active', side: 'buy' });
    expect(outcome.order.market).toEqual(BTC_RLS);
    expect(JSON.parse(server.requests[0]?.body ?? '{}')).toMatchObject({
      clientOrderId: 'order1',
      price: '520000000',
    });
  });

  it('rejected: a business refusal with its exchange code', async () => {
    server.script = () => ({ body: P.ORDER_ADD_FAILED });
    const outcome = await gatewayFor().placeOrder(REQUEST);
    expect(outcome).toMatchObject({ kind: 'rejected', code: 'SmallOrder' });
  });

  it('unknown: a 502 after sending, sent once and never again', async () => {
    server.script = () => ({ status: 502, body: '<html>502</html>' });
    const outcome = await drive(clock, gatewayFor().placeOrder(REQUEST));
    expect(outcome.kind).toBe('unknown');
    expect(placeRequests()).toBe(1);
  });

  it('unknown: the connection reset after the request was written', async () => {
    server.script = () => ({ destroy: true });
    const outcome = await drive(clock, gatewayFor().placeOrder(REQUEST));
    expect(outcome.kind).toBe('unknown');
    expect(placeRequests()).toBe(1);
  });

  it('unknown: the call timed out while the exchange held the request', async () => {
    server.script = () => ({ hang: true });
    const gateway = gatewayFor({ timeoutMs: { orders: 2_000 } });
    const outcome = await drive(clock, gateway.placeOrder(REQUEST), { stepMs: 100 });
    expect(outcome.kind).toBe('unknown');
    expect(outcome.kind === 'unknown' && outcome.reason).toMatch(/TimeoutError/);
    expect(placeRequests()).toBe(1);
  });

  it('notSent: the orders breaker is open, with the wait until its probe', async () => {
    server.script = () => ({ status: 502, body: '<html>502</html>' });
    const gateway = gatewayFor({ breakers: { orders: { failuresMax: 1, breakDurationMs: 7_000 } } });
    expect((await drive(clock, gateway.placeOrder(REQUEST))).kind).toBe('unknown');
    const openedAtMs = stack.adapter.breakerMetrics('orders').openedAtMs ?? 0;
    const outcome = await gateway.placeOrder({ ...REQUEST, clientOrderId: 'order2' });
    expect(outcome).toEqual({
      kind: 'notSent',
      reason: 'circuitOpen',
      retryAfterMs: openedAtMs + 7_000 - clock.nowMs(),
    });
    expect(placeRequests()).toBe(1);
  });

  it('notSent: the local placement budget is spent, with the limiter wait', async () => {
    const gateway = gatewayFor({ rateLimitShare: 1 / 300, rateLimitWaitMaxMs: 0 });
    expect((await gateway.placeOrder(REQUEST)).kind).toBe('accepted');
    await clock.advance(60_000);
    const outcome = await gateway.placeOrder({ ...REQUEST, clientOrderId: 'order2' });
    expect(outcome).toEqual({ kind: 'notSent', reason: 'localRateLimited', retryAfterMs: 540_000 });
    expect(placeRequests()).toBe(1);
  });

  it('notSent: Nobitex answered 429, with its backOff', async () => {
    server.script = () => ({ status: 429, body: P.RATE_LIMITED });
    const outcome = await drive(clock, gatewayFor().placeOrder(REQUEST));
    expect(outcome).toEqual({ kind: 'notSent', reason: 'exchangeRateLimited', retryAfterMs: 12_000 });
  });

  it('notSent: the connection was refused, so nothing was written', async () => {
    const outcome = await drive(clock, gatewayFor({}, await closedPortUrl()).placeOrder(REQUEST));
    expect(outcome.kind).toBe('notSent');
    expect(outcome.kind === 'notSent' && outcome.reason).toMatch(/connectRefused/);
  });
});

describe('reads', () => {
  it('getOrderById maps the order and returns null on 404', async () => {
    const gateway = gatewayFor();
    expect(await gateway.getOrderById('5684')).toMatchObject({
      id: '5684',
      status: 'Done',
      clientOrderId: null,
    });
    server.script = () => ({ status: 404, body: P.ORDER_NOT_FOUND });
    expect(await gateway.getOrderById('77')).toBeNull();
    expect(await gateway.getOpenOrderByClientOrderId('order1')).toBeNull();
    expect(JSON.parse(server.requests.at(-1)?.body ?? '{}')).toEqual({ clientOrderId: 'order1' });
  });

  it('cancelOrder returns the order whether the cancel applied or not, null on 404', async () => {
    const gateway = gatewayFor();
    expect((await gateway.cancelOrder('5684'))?.status).toBe('Canceled');
    server.script = () => ({ body: P.CANCEL_NOT_APPLIED });
    expect((await gateway.cancelOrder('5684'))?.status).toBe('Done');
    server.script = () => ({ status: 404, body: P.ORDER_NOT_FOUND });
    expect(await gateway.cancelOrder('5684')).toBeNull();
  });

  it('lists recent orders of all statuses with details=2 and the user trades', async () => {
    const gateway = gatewayFor();
    const orders = await gateway.listRecentOrders(BTC_RLS);
    expect(orders.map((o) => o.id)).toEqual(['25']);
    const query = new URLSearchParams(server.requests[0]?.path.split('?')[1]);
    expect(query.get('status')).toBe('all');
    expect(query.get('details')).toBe('2');
    const trades = await gateway.listTrades({ base: 'usdt', quote: 'rls' });
    expect(trades[0]).toMatchObject({ id: '123412', orderId: '1231222', side: 'sell' });
    expect(trades[0]?.fee.eq(new Decimal('27257.7096'))).toBe(true);
  });

  it('builds market rules from options and stats', async () => {
    const rules = await gatewayFor().getMarketRules(BTC_RLS);
    expect(rules.isClosed).toBe(false);
    expect(rules.amountStep.toFixed()).toBe('0.000001');
    expect(rules.priceStep.toFixed()).toBe('10');
    expect(rules.minOrderValue.toFixed()).toBe('3000000');
    expect(rules.lastPrice.toFixed()).toBe('750350000');
  });

  it('keeps market rules from the last good options while /v2/options fails (stale fallback)', async () => {
    const gateway = gatewayFor({ retryReads: { attemptsMax: 1 } });
    await gateway.getMarketRules(BTC_RLS);
    server.script = (r) =>
      routeKey(r) === 'GET /v2/options' ? { status: 503, body: '<html>503</html>' } : normal(r);
    await clock.advance(700_000); // past the options TTL (10 min), inside its stale window (a day)
    const rules = await gateway.getMarketRules(BTC_RLS);
    expect(rules.amountStep.toFixed()).toBe('0.000001');
    expect(rules.minOrderValue.toFixed()).toBe('3000000');
    expect(server.requests.filter((r) => routeKey(r) === 'GET /v2/options').length).toBe(2);
  });

  it('refuses a market the options do not price, or whose currency is not active', async () => {
    const gateway = gatewayFor();
    await expect(gateway.getMarketRules({ base: 'sol', quote: 'rls' })).rejects.toThrow(
      /not an active market/,
    );
    server.script = (r) =>
      routeKey(r) === 'GET /v2/options'
        ? { body: P.OPTIONS.replace('"allCurrencies"', '"activeCurrencies":["rls","usdt"],"allCurrencies"') }
        : normal(r);
    const inactive = gatewayFor();
    await expect(inactive.getMarketRules(BTC_RLS)).rejects.toThrow(/BTCIRT is not an active market/);
  });

  it('returns fresh wallets only, never a stale copy', async () => {
    const gateway = gatewayFor({ retryReads: { attemptsMax: 1 } });
    const wallets = await gateway.getWallets();
    expect(wallets.get('btc')?.blocked.toFixed()).toBe('0.005');
    server.script = () => ({ status: 503, body: '<html>503</html>' });
    await clock.advance(6_000);
    await expect(gateway.getWallets()).rejects.toThrow(/503/);
  });
});
