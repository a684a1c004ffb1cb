// Goal: each policy of the enhanced adapter does its job on real HTTP: retries only safe calls,
// business rejections and 404 never trip a breaker, the breaker opens, refuses without sending and
// closes through a probe, a 429 back-off keeps every request away until it has passed, caches serve
// fresh and stale values with their age, and every call is reported by events and stats().
// Method: a scripted server on 127.0.0.1 behind the real pool, client and adapter, on a FakeClock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { Decimal } from '../../src/core/decimal.js';
import { isCircuitOpenError, isRateLimitedError } from '../../src/core/errors.js';
import type {
  AdapterBreakerEvent,
  AdapterCacheEvent,
  AdapterCallEvent,
  EnhancedAdapterOptions,
  EnhancedAdapterStack,
} from '../../src/exchange/enhanced-nobitex-adapter/index.js';
import {
  isBusinessRejectionError,
  isExchangeAmbiguousError,
  isExchangeNotFoundError,
  isExchangeRateLimitedError,
} from '../../src/exchange/errors.js';
import { buildStack, drive, errorOf } from './helpers/adapter-harness.js';
import * as P from './helpers/nobitex-payloads.js';
import { type RecordedRequest, type ScriptedServer, startScriptedServer } from './helpers/scripted-server.js';

const BTC_RLS = { base: 'btc', quote: 'rls' } as const;
const ROUTES: Record<string, string> = {
  'GET /v3/orderbook/BTCIRT': P.ORDERBOOK_BTCIRT,
  'GET /market/stats': P.MARKET_STATS,
  'GET /v2/options': P.OPTIONS,
  'POST /market/orders/add': P.ORDER_ADD_OK,
  'POST /market/orders/status': P.ORDER_STATUS_MARKET,
  'GET /users/wallets/list': P.WALLETS,
  'GET /users/profile': P.PROFILE,
};
const routeKey = (r: RecordedRequest) => `${r.method} ${r.path.split('?')[0]}`;
const normal = (r: RecordedRequest) => {
  const body = ROUTES[routeKey(r)];
  return body === undefined ? { status: 404, body: P.ORDER_NOT_FOUND } : { body };
};
const PLACE = {
  market: BTC_RLS,
  side: 'buy',
  execution: 'limit',
  amount: new Decimal('0.6'),
  price: new Decimal('520000000'),
  clientOrderId: 'order1',
} as const;

let server: ScriptedServer;
let clock: FakeClock;
let stack: EnhancedAdapterStack;
const build = (options: EnhancedAdapterOptions = {}) => {
  stack = buildStack({ baseUrls: [server.url], clock, token: P.TOKEN, options });
  return stack.adapter;
};
const seen = (key: string) => server.requests.filter((r) => routeKey(r) === key).length;

beforeEach(async () => {
  server = await startScriptedServer(normal);
  clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
});
afterEach(async () => {
  await stack?.adapter.close();
  await server.close();
});

describe('retry', () => {
  it('retries an idempotent read after a 503 and reports the retry', async () => {
    const adapter = build();
    let failures = 1;
    server.script = (r) => (failures-- > 0 ? { status: 503, body: '<html>503</html>' } : normal(r));
    const retries: number[] = [];
    adapter.onRetry((e) => retries.push(e.attempt));
    const profile = await drive(clock, adapter.getProfile());
    expect(profile.email).toBe('ali@example.com');
    expect(seen('GET /users/profile')).toBe(2);
    expect(retries).toEqual([1]);
  });

  it('never resends an order placement whose answer was a 502: one request, ambiguous error', async () => {
    const adapter = build();
    server.script = () => ({ status: 502, body: '<html>502</html>' });
    const error = await errorOf(drive(clock, adapter.placeOrder(PLACE)));
    expect(isExchangeAmbiguousError(error)).toBe(true);
    expect(seen('POST /market/orders/add')).toBe(1);
  });

  it('never resends an order placement whose socket was reset after sending', async () => {
    const adapter = build();
    server.script = () => ({ destroy: true });
    const error = await errorOf(drive(clock, adapter.placeOrder(PLACE)));
    expect(isExchangeAmbiguousError(error)).toBe(true);
    expect(seen('POST /market/orders/add')).toBe(1);
  });

  it('does not retry a business rejection and reports it with the exchange code', async () => {
    const adapter = build();
    server.script = () => ({ body: P.ORDER_ADD_FAILED });
    const codes: string[] = [];
    adapter.onRejection((e) => codes.push(e.exchangeCode));
    const error = await errorOf(adapter.placeOrder(PLACE));
    expect(isBusinessRejectionError(error) && error.exchangeCode).toBe('SmallOrder');
    expect(codes).toEqual(['SmallOrder']);
    expect(seen('POST /market/orders/add')).toBe(1);
  });
});

describe('circuit breaker per group', () => {
  const breakerOptions = {
    breakers: { account: { failuresMax: 2, breakDurationMs: 5_000 } },
    retryReads: { attemptsMax: 1 },
  };

  it('opens after consecutive failures, refuses without sending, and closes after a good probe', async () => {
    const adapter = build(breakerOptions);
    const changes: AdapterBreakerEvent[] = [];
    adapter.onBreakerStateChange((e) => changes.push(e));
    server.script = (r) =>
      routeKey(r) === 'GET /users/profile' ? { status: 503, body: '<html>503</html>' } : normal(r);
    await errorOf(adapter.getProfile());
    await errorOf(adapter.getProfile());
    expect(adapter.breakerMetrics('account').state).toBe('open');
    const before = server.requests.length;
    const refused = await errorOf(adapter.getProfile());
    expect(isCircuitOpenError(refused)).toBe(true);
    expect(server.requests.length).toBe(before);
    // Other groups are unaffected.
    expect((await adapter.getOrderBook(BTC_RLS)).stale).toBe(false);
    server.script = normal;
    await clock.advance(5_000);
    expect((await adapter.getProfile()).username).toBe('ali@example.com');
    expect(adapter.breakerMetrics('account').state).toBe('closed');
    expect(changes.map((c) => `${c.group}:${c.from}>${c.to}`)).toEqual([
      'account:closed>open',
      'account:open>halfOpen',
      'account:halfOpen>closed',
    ]);
  });

  it('does not count business rejections, 404 or 429 as failures', async () => {
    const adapter = build({ breakers: { orders: { failuresMax: 1 } }, retryReads: { attemptsMax: 1 } });
    server.script = () => ({ body: P.ORDER_ADD_FAILED });
    await errorOf(adapter.placeOrder(PLACE));
    server.script = () => ({ status: 404, body: P.ORDER_NOT_FOUND });
    expect(isExchangeNotFoundError(await errorOf(adapter.getOrderStatus({ id: 1 })))).toBe(true);
    server.script = () => ({ status: 429, body: P.RATE_LIMITED });
    expect(isExchangeRateLimitedError(await errorOf(adapter.getOrderStatus({ id: 1 })))).toBe(true);
    expect(adapter.breakerMetrics('orders').state).toBe('closed');
    expect(adapter.breakerMetrics('orders').failures).toBe(0);
  });

  it('doubles the break after a failed probe when a growing break is configured', async () => {
    const adapter = build({
      breakers: { account: { failuresMax: 1, breakDurationMs: 1_000, breakDelayMaxMs: 4_000 } },
      retryReads: { attemptsMax: 1 },
    });
    server.script = () => ({ status: 503, body: '<html>503</html>' });
    await errorOf(adapter.getProfile());
    const first = adapter.breakerMetrics('account');
    expect((first.retryAtMs ?? 0) - (first.openedAtMs ?? 0)).toBe(1_000);
    await clock.advance(1_000);
    await errorOf(adapter.getProfile()); // the probe fails
    const second = adapter.breakerMetrics('account');
    expect((second.retryAtMs ?? 0) - (second.openedAtMs ?? 0)).toBe(2_000);
  });
});

describe('rate limits', () => {
  it('after a 429 no request reaches the endpoint before its backOff has passed', async () => {
    const adapter = build({ rateLimitWaitMaxMs: 1_000, retryReads: { attemptsMax: 1 } });
    server.script = () => ({ status: 429, body: P.RATE_LIMITED }); // backOff 12 s
    const penalties: number[] = [];
    adapter.onRateLimitPenalty((e) => penalties.push(e.backOffMs));
    const penalizedAtMs = clock.nowMs();
    expect(isExchangeRateLimitedError(await errorOf(adapter.getProfile()))).toBe(true);
    expect(penalties).toEqual([12_000]);
    const arrivalsMs: number[] = [];
    server.script = (r) => {
      arrivalsMs.push(clock.nowMs() - penalizedAtMs);
      return normal(r);
    };
    // Longer than the allowed wait: refused at once, locally.
    for (const stepMs of [0, 5_000, 5_000]) {
      await clock.advance(stepMs);
      expect(isRateLimitedError(await errorOf(adapter.getProfile()))).toBe(true);
    }
    // Within the allowed wait: the call waits until the back-off ends, then goes out.
    await clock.advance(1_500);
    expect((await drive(clock, adapter.getProfile(), { stepMs: 100 })).email).toBe('ali@example.com');
    expect(arrivalsMs).toHaveLength(1);
    expect(arrivalsMs[0]).toBeGreaterThanOrEqual(12_000);
  });

  it('waits out a back-off within the retry budget and then succeeds', async () => {
    const adapter = build({
      retryReads: { attemptsMax: 2, elapsedMaxMs: 20_000 },
      rateLimitWaitMaxMs: 20_000,
    });
    let limited = 1;
    server.script = (r) => (limited-- > 0 ? { status: 429, body: P.RATE_LIMITED } : normal(r));
    const startedAtMs = clock.nowMs();
    const times: number[] = [];
    const original = server.script;
    server.script = (r) => {
      times.push(clock.nowMs() - startedAtMs);
      return original(r);
    };
    await drive(clock, adapter.getProfile(), { stepMs: 250 });
    expect(times).toHaveLength(2);
    expect(times[1]).toBeGreaterThanOrEqual(12_000);
  });

  it('spends one shared placement budget and refuses locally when it is spent', async () => {
    const adapter = build({ rateLimitShare: 0.01, rateLimitWaitMaxMs: 0 }); // 300 × 0.01 = 3 per 10 min
    for (let i = 0; i < 3; i++) await adapter.placeOrder({ ...PLACE, clientOrderId: `c${i}` });
    const error = await errorOf(adapter.placeOrder({ ...PLACE, clientOrderId: 'c3' }));
    expect(isRateLimitedError(error)).toBe(true);
    expect(seen('POST /market/orders/add')).toBe(3);
    const snapshot = (await adapter.stats()).rateLimits.find((k) => k.key === 'orderPlacement');
    expect(snapshot?.windows[0]).toMatchObject({ limit: 3, used: 3, remaining: 0, windowMs: 600_000 });
  });
});

describe('cache', () => {
  it('serves a fresh order book from the cache, then reloads after the TTL', async () => {
    const adapter = build();
    const events: AdapterCacheEvent[] = [];
    adapter.onCache((e) => events.push(e));
    expect((await adapter.getOrderBook(BTC_RLS)).source).toBe('loader');
    const hit = await adapter.getOrderBook(BTC_RLS);
    expect(hit).toMatchObject({ source: 'cache', stale: false });
    expect(seen('GET /v3/orderbook/BTCIRT')).toBe(1);
    await clock.advance(1_000);
    await adapter.getOrderBook(BTC_RLS);
    expect(seen('GET /v3/orderbook/BTCIRT')).toBe(2);
    expect(events.map((e) => e.kind)).toEqual(['miss', 'hit', 'miss']);
  });

  it('serves stale stats, marked stale with their age, while the exchange answers 503', async () => {
    const adapter = build({ retryReads: { attemptsMax: 1 } });
    const fresh = await adapter.getMarketStats();
    expect(fresh.stale).toBe(false);
    server.script = () => ({ status: 503, body: '<html>503</html>' });
    await clock.advance(30_000);
    const stale = await adapter.getMarketStats();
    expect(stale).toMatchObject({ stale: true, source: 'stale', ageMs: 30_000 });
    expect(stale.value.get('btc-rls')?.latest.eq(new Decimal('750350000'))).toBe(true);
  });

  it('throws instead of serving stale when allowStale is false', async () => {
    const adapter = build({ retryReads: { attemptsMax: 1 } });
    await adapter.getWallets();
    server.script = () => ({ status: 503, body: '<html>503</html>' });
    await clock.advance(10_000);
    expect((await adapter.getWallets()).stale).toBe(true);
    expect(await errorOf(adapter.getWallets({ allowStale: false }))).toBeInstanceOf(Error);
  });

  it('invalidates wallets after an order is placed', async () => {
    const adapter = build();
    await adapter.getWallets();
    await adapter.getWallets();
    expect(seen('GET /users/wallets/list')).toBe(1);
    await adapter.placeOrder(PLACE);
    await adapter.getWallets();
    expect(seen('GET /users/wallets/list')).toBe(2);
  });
});

describe('events and stats', () => {
  it('reports every call with endpoint, outcome, duration and attempts', async () => {
    const adapter = build({ retryReads: { attemptsMax: 1 } });
    const calls: AdapterCallEvent[] = [];
    adapter.onCall((e) => calls.push(e));
    await adapter.getProfile();
    server.script = () => ({ body: P.ORDER_ADD_FAILED });
    await errorOf(adapter.placeOrder(PLACE));
    expect(
      calls.map(({ endpoint, group, outcome, attempts }) => ({ endpoint, group, outcome, attempts })),
    ).toEqual([
      { endpoint: 'profile', group: 'account', outcome: 'ok', attempts: 1 },
      { endpoint: 'placeOrder', group: 'orders', outcome: 'businessRejection', attempts: 1 },
    ]);
    expect(calls.every((c) => c.durationMs >= 0)).toBe(true);
  });

  it('gives one snapshot of breakers, budgets, pool and caches', async () => {
    const adapter = build();
    await adapter.getOrderBook(BTC_RLS);
    const stats = await adapter.stats();
    expect(Object.keys(stats.breakers).sort()).toEqual(['account', 'marketData', 'orders']);
    expect(stats.breakers.marketData).toMatchObject({ state: 'closed', calls: 1, successes: 1 });
    expect(stats.rateLimits.find((k) => k.key === 'orderBook')?.windows[0]?.used).toBe(1);
    expect(stats.caches.orderBook).toMatchObject({ size: 1, misses: 1 });
    expect(stats.pool).toHaveProperty('endpoints');
  });
});
