// Goal: every failure the exchange or the network can produce lands in the right error class, with
// the right `sent` state and retry safety, and never leaks the credentials. Method: a scripted
// loopback server answering each case; real sockets for refused, reset and timeout.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { Decimal } from '../../src/core/decimal.js';
import { createRng } from '../../src/core/random.js';
import { ConnectionPool } from '../../src/exchange/connection-pool/connection-pool.js';
import {
  classifyError,
  isBusinessRejectionError,
  isExchangeAmbiguousError,
  isExchangeAuthError,
  isExchangeNotFoundError,
  isExchangeRateLimitedError,
  isExchangeTransientError,
  isMalformedResponseError,
  isSafeToRetry,
} from '../../src/exchange/errors.js';
import { NobitexClient } from '../../src/exchange/nobitex-client/nobitex-client.js';
import * as P from './helpers/nobitex-payloads.js';
import {
  closedPortUrl,
  type Script,
  type ScriptedServer,
  startScriptedServer,
} from './helpers/scripted-server.js';

const BTC_RLS = { base: 'btc', quote: 'rls' } as const;
const ORDER = {
  market: BTC_RLS,
  side: 'buy',
  execution: 'limit',
  amount: new Decimal('0.6'),
  price: new Decimal('5.2e8'),
} as const;

const servers: ScriptedServer[] = [];
const pools: ConnectionPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function clientFor(script: Script | string, poolOptions: { headersTimeoutMs?: number } = {}) {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  let url: string;
  if (typeof script === 'string') url = script;
  else {
    const server = await startScriptedServer(script);
    servers.push(server);
    url = server.url;
  }
  const pool = new ConnectionPool({ baseUrls: [url], clock, rng: createRng(3), ...poolOptions });
  pools.push(pool);
  const client = new NobitexClient({
    transport: pool,
    auth: { kind: 'token', token: P.TOKEN },
    userAgent: 'TraderBot/keel-1',
    clock,
  });
  return { client, clock };
}

const caught = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable('should have thrown'),
    (e: unknown) => e,
  );

describe('exchange errors from HTTP answers', () => {
  it('429 with backOff is rate limited with backOffMs and limit, safe to retry later', async () => {
    const { client } = await clientFor(() => ({ status: 429, body: P.RATE_LIMITED }));
    const error = await caught(client.placeOrder(ORDER));
    expect(isExchangeRateLimitedError(error)).toBe(true);
    expect(error).toMatchObject({ backOffMs: 12_000, limit: 60, httpStatus: 429 });
    expect(isSafeToRetry(error, { idempotent: false })).toBe(true);
  });

  it('old-style 403 with Retry-After is rate limited, backOff taken from the header', async () => {
    const { client } = await clientFor(() => ({
      status: 403,
      headers: { 'retry-after': '30' },
      body: '{"detail":"Too many"}',
    }));
    const error = await caught(client.getWallets());
    expect(isExchangeRateLimitedError(error)).toBe(true);
    expect(error).toMatchObject({ backOffMs: 30_000, limit: null });
  });

  it('401 with a DRF detail is an auth error carrying the server text but not the token', async () => {
    const { client } = await clientFor(() => ({ status: 401, body: P.AUTH_INVALID }));
    const error = await caught(client.getProfile());
    expect(isExchangeAuthError(error)).toBe(true);
    expect((error as Error).message).toContain('توکن غیر مجاز است.');
    expect((error as Error).message).not.toContain(P.TOKEN);
    expect(isSafeToRetry(error, { idempotent: true })).toBe(false);
  });

  it('403 without rate-limit signs is an auth error', async () => {
    const { client } = await clientFor(() => ({ status: 403, body: P.AUTH_MISSING }));
    expect(isExchangeAuthError(await caught(client.getWallets()))).toBe(true);
  });

  it('HTTP 200 status failed is a business rejection exposing the exchange code', async () => {
    const { client } = await clientFor(() => ({ body: P.ORDER_ADD_FAILED }));
    const error = await caught(client.placeOrder({ ...ORDER, clientOrderId: 'order1' }));
    expect(isBusinessRejectionError(error)).toBe(true);
    expect(error).toMatchObject({ exchangeCode: 'SmallOrder', clientOrderId: 'order1', sent: 'yes' });
    expect(isSafeToRetry(error, { idempotent: false })).toBe(false);
  });

  it('404 with detail is not found', async () => {
    const { client } = await clientFor(() => ({ status: 404, body: P.ORDER_NOT_FOUND }));
    const error = await caught(client.getOrderStatus({ id: 999 }));
    expect(isExchangeNotFoundError(error)).toBe(true);
    expect((error as Error).message).toContain('No Order matches the given query.');
  });

  it('500 on a read is transient; 500 on order placement is ambiguous (it may have been placed)', async () => {
    const { client } = await clientFor(() => ({ status: 500, body: '<html>Server Error</html>' }));
    const readError = await caught(client.getOrderStatus({ id: 1 }));
    expect(isExchangeTransientError(readError)).toBe(true);
    expect(isSafeToRetry(readError, { idempotent: true })).toBe(true);
    const writeError = await caught(client.placeOrder(ORDER));
    expect(isExchangeAmbiguousError(writeError)).toBe(true);
    expect(isSafeToRetry(writeError, { idempotent: false })).toBe(false);
  });

  it('503 on a read is transient', async () => {
    const { client } = await clientFor(() => ({ status: 503, body: '' }));
    const error = await caught(client.getOptions());
    expect(classifyError(error)).toBe('transient');
    expect(error).toMatchObject({ httpStatus: 503, sent: 'yes' });
  });

  it('unparseable JSON on 200 is a malformed response naming the body', async () => {
    const { client } = await clientFor(() => ({ body: '{"status":"ok",' }));
    const error = await caught(client.getWallets());
    expect(isMalformedResponseError(error)).toBe(true);
    expect(error).toMatchObject({ field: '(body)' });
  });

  it('a wrong type names the field and what was wrong, never a NaN', async () => {
    const { client } = await clientFor(() => ({
      body: P.ORDER_ADD_OK.replace('"amount":"0.6"', '"amount":"abc"'),
    }));
    const error = await caught(client.placeOrder(ORDER));
    expect(isMalformedResponseError(error)).toBe(true);
    expect(error).toMatchObject({ field: 'order.amount' });
    expect((error as Error).message).toContain('"abc"');
    expect(isSafeToRetry(error, { idempotent: false })).toBe(false);
  });

  it('a missing field and an unknown status are malformed, with their paths', async () => {
    const { client } = await clientFor(() => ({
      body: P.ORDER_STATUS_MARKET.replace('"status":"Done",', '"status":"Weird",'),
    }));
    expect(await caught(client.getOrderStatus({ id: 1 }))).toMatchObject({ field: 'order.status' });
    const { client: second } = await clientFor(() => ({
      body: P.WALLETS.replace('"balance":"746212980",', ''),
    }));
    expect(await caught(second.getWallets())).toMatchObject({ field: 'wallets.0.balance' });
  });
});

describe('exchange errors from the network', () => {
  it('connection refused is transient and not sent: safe to retry even an order', async () => {
    const { client } = await clientFor(await closedPortUrl());
    const error = await caught(client.placeOrder(ORDER));
    expect(isExchangeTransientError(error)).toBe(true);
    expect(error).toMatchObject({ sent: 'no' });
    expect(isSafeToRetry(error, { idempotent: false })).toBe(true);
  });

  it('a reset after the request was sent is ambiguous: never resend an order', async () => {
    const { client } = await clientFor(() => ({ destroy: true }));
    const error = await caught(client.placeOrder(ORDER));
    expect(isExchangeAmbiguousError(error)).toBe(true);
    expect(error).toMatchObject({ sent: 'maybe' });
    expect(isSafeToRetry(error, { idempotent: false })).toBe(false);
    expect(isSafeToRetry(error, { idempotent: true })).toBe(true);
  });

  it('a headers timeout after sending is ambiguous', async () => {
    const { client } = await clientFor(() => ({ hang: true }), { headersTimeoutMs: 150 });
    const error = await caught(client.cancelOrder({ id: 5 }));
    expect(isExchangeAmbiguousError(error)).toBe(true);
    expect((error as { cause?: { reason?: string } }).cause?.reason).toBe('headersTimeout');
  });
});

describe('exchange errors: legacy and lifecycle', () => {
  it('a legacy HTTP 200 TooManyRequests is rate limited, not a business rejection', async () => {
    const { client } = await clientFor(() => ({ body: P.RATE_LIMITED }));
    const error = await caught(client.getOrderStatus({ id: 1 }));
    expect(isExchangeRateLimitedError(error)).toBe(true);
    expect(error).toMatchObject({ backOffMs: 12_000, httpStatus: 200 });
  });

  // Issue 12, failure mode 6: a proxy's 4xx after forwarding left a live order journaled REJECTED.
  it.each([
    ['an HTML 400 from a proxy', 400, '<html><body><h1>400 Bad Request</h1></body></html>'],
    ['unknown JSON on 400', 400, '{"error":"bad request"}'],
    ['a DRF-style body with a code but no status', 422, '{"detail":"x","code":"Throttled"}'],
    ['an HTML 429 from a proxy', 429, '<html>Too Many Requests</html>'],
  ])('on order placement %s is ambiguous, never a rejection', async (_name, status, body) => {
    const { client } = await clientFor(() => ({ status, body }));
    const error = await caught(client.placeOrder({ ...ORDER, clientOrderId: 'order1' }));
    expect(isBusinessRejectionError(error)).toBe(false);
    expect(isExchangeRateLimitedError(error)).toBe(false);
    expect(isExchangeAmbiguousError(error)).toBe(true);
    expect(isSafeToRetry(error, { idempotent: false })).toBe(false);
  });

  it("on order placement Nobitex's own 4xx failure body is still a rejection", async () => {
    const { client } = await clientFor(() => ({ status: 400, body: P.ORDER_ADD_FAILED }));
    const error = await caught(client.placeOrder({ ...ORDER, clientOrderId: 'order1' }));
    expect(error).toMatchObject({ exchangeCode: 'SmallOrder', httpStatus: 400 });
  });

  it('a status failed body without a code is malformed, not a rejection', async () => {
    const { client } = await clientFor(() => ({ body: '{"status":"failed","message":"?"}' }));
    const error = await caught(client.placeOrder({ ...ORDER, clientOrderId: 'order1' }));
    expect(isBusinessRejectionError(error)).toBe(false);
    expect(isMalformedResponseError(error)).toBe(true);
  });

  it('a 429 without backOff or Retry-After uses the fallback wait', async () => {
    const { client } = await clientFor(() => ({ status: 429, body: 'Too Many Requests' }));
    expect(await caught(client.getOptions())).toMatchObject({ backOffMs: 60_000, limit: null });
  });
});
