// Goal: the Nobitex client and the simulator agree on every endpoint, on both auth paths (token and
// Ed25519 API key) and on every listed error code; a disagreement points at the side that departs
// from the reference. Method: the real client and pool against a real simulator on 127.0.0.1,
// both on one FakeClock (so API-key timestamps are in the window).
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { Decimal, floorToStep, parseDecimal } from '../../src/core/decimal.js';
import { createRng } from '../../src/core/random.js';
import { ConnectionPool } from '../../src/exchange/connection-pool/connection-pool.js';
import {
  type BusinessRejectionError,
  isBusinessRejectionError,
  isExchangeAuthError,
  isExchangeNotFoundError,
  isExchangeRateLimitedError,
} from '../../src/exchange/errors.js';
import type { Market } from '../../src/exchange/markets.js';
import type { NobitexAuth } from '../../src/exchange/nobitex-client/auth.js';
import { NobitexClient } from '../../src/exchange/nobitex-client/nobitex-client.js';
import type { PlaceOrderParams } from '../../src/exchange/nobitex-client/requests.js';
import { readResponse, throwIfFailed } from '../../src/exchange/nobitex-client/response.js';
import {
  AUTH_INVALID_DETAIL,
  AUTH_MISSING_DETAIL,
  createSimulator,
  DEFAULT_BALANCES,
  SIMULATOR_DEFAULT_TOKEN,
  type Simulator,
} from '../../src/exchange/simulator/index.js';
import { errorOf, TEST_USER_AGENT } from './helpers/adapter-harness.js';

const BTC_RLS: Market = { base: 'btc', quote: 'rls' };
const SEED = Buffer.alloc(32, 9);
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const PUBLIC_KEY_BASE64 = createPublicKey(
  createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, SEED]), format: 'der', type: 'pkcs8' }),
)
  .export({ format: 'der', type: 'spki' })
  .subarray(-32)
  .toString('base64');

const AUTHS: Record<'token' | 'apiKey', NobitexAuth> = {
  token: { kind: 'token', token: SIMULATOR_DEFAULT_TOKEN },
  apiKey: { kind: 'apiKey', publicKey: PUBLIC_KEY_BASE64, privateKey: SEED.toString('base64url') },
};

let clock: FakeClock;
let sim: Simulator;
let pool: ConnectionPool;

const clientWith = (auth: NobitexAuth) =>
  new NobitexClient({ transport: pool, auth, userAgent: TEST_USER_AGENT, clock });

beforeEach(async () => {
  clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
  sim = createSimulator({
    seed: 42,
    clock,
    priceTickMs: 0,
    accounts: [
      {
        token: SIMULATOR_DEFAULT_TOKEN,
        apiKey: { publicKeyBase64: PUBLIC_KEY_BASE64 },
        balances: { ...DEFAULT_BALANCES },
      },
    ],
  });
  const url = await sim.listen({ host: '127.0.0.1', port: 0 });
  pool = new ConnectionPool({ baseUrls: [url], clock, rng: createRng(3) });
});
afterEach(async () => {
  await pool.close();
  await sim.close();
});

/** A limit price `fraction` of the simulator's last BTCIRT price, on the 10-rial tick. */
const priceAt = (fraction: string) =>
  floorToStep(parseDecimal(sim.lastPrice('BTCIRT'), 'lastPrice').times(fraction), new Decimal(10));
const limitBuy = (fields: Partial<PlaceOrderParams> = {}): PlaceOrderParams => ({
  market: BTC_RLS,
  side: 'buy',
  execution: 'limit',
  amount: new Decimal('0.001'),
  price: priceAt('0.95'),
  ...fields,
});
const rejection = async (promise: Promise<unknown>): Promise<BusinessRejectionError> => {
  const error = await errorOf(promise);
  if (!isBusinessRejectionError(error)) throw error;
  return error;
};

describe('public endpoints', () => {
  it('order books (one and all), recent trades, stats, candles and options parse', async () => {
    const client = clientWith(AUTHS.token);
    const book = await client.getOrderBook(BTC_RLS);
    expect(book.asks.length).toBeGreaterThan(0);
    expect(book.asks[0]?.price.gt(book.bids[0]?.price ?? 0)).toBe(true);
    const all = await client.getOrderBook('all');
    expect([...all.keys()]).toContain('USDTIRT');
    sim.tick(5);
    expect(Array.isArray(await client.getRecentTrades(BTC_RLS))).toBe(true);
    const stats = await client.getMarketStats({ src: ['btc'], dst: ['rls'] });
    expect(stats.get('btc-rls')?.latest.toFixed()).toBe(sim.lastPrice('BTCIRT'));
    const candles = await client.getOhlc({
      market: BTC_RLS,
      resolution: '1',
      toMs: clock.nowMs(),
      countback: 5,
    });
    expect(candles.every((c) => c.high.gte(c.low))).toBe(true);
    const options = await client.getOptions();
    expect(options.minOrders.get('rls')?.toFixed()).toBe('3000000');
    expect(options.amountPrecisions.get('BTCIRT')?.toFixed()).toBe('0.000001');
    expect(options.pricePrecisions.get('BTCIRT')?.toFixed()).toBe('10');
  });
});

describe.each(['token', 'apiKey'] as const)('private endpoints with %s auth', (kind) => {
  it('place, status by id and clientOrderId, list, cancel, cancel-old, trades, wallets, profile', async () => {
    const client = clientWith(AUTHS[kind]);
    const placed = await client.placeOrder(limitBuy({ clientOrderId: `c-${kind}` }));
    expect(placed).toMatchObject({
      status: 'Active',
      clientOrderId: `c-${kind}`,
      side: 'buy',
      execution: 'limit',
    });
    expect((await client.getOrderStatus({ id: placed.id })).id).toBe(placed.id);
    expect((await client.getOrderStatus({ clientOrderId: `c-${kind}` })).id).toBe(placed.id);
    const listed = await client.listOrders({ status: 'open', market: BTC_RLS });
    expect(listed.orders.map((o) => o.id)).toContain(placed.id);
    const cancelled = await client.cancelOrder({ id: placed.id });
    expect(cancelled).toMatchObject({ applied: true, currentStatus: 'Canceled' });
    const second = await client.placeOrder(limitBuy({ clientOrderId: `d-${kind}`, pro: true }));
    await client.cancelOld({ market: BTC_RLS });
    expect((await client.getOrderStatus({ id: second.id })).status).toBe('Canceled');
    const filled = await client.placeOrder(limitBuy({ price: priceAt('1.05'), pro: true }));
    expect((await client.getOrderStatus({ id: filled.id })).matchedAmount.gt(0)).toBe(true);
    const trades = await client.listUserTrades({ market: BTC_RLS });
    expect(trades.trades.some((t) => t.orderId === filled.id)).toBe(true);
    const wallets = await client.getWallets();
    expect(wallets.get('btc')?.balance.gt(10)).toBe(true);
    const v2 = await client.getWalletsV2({ currencies: ['rls', 'btc'] });
    expect(v2.get('btc')?.balance.eq(wallets.get('btc')?.balance ?? 0)).toBe(true);
    expect((await client.getProfile()).websocketAuthParam).toMatch(/\S/);
  });
});

describe('error codes', () => {
  it('SmallOrder, OverValueOrder, BadPrice, InvalidMarketPair, MarketClosed', async () => {
    const client = clientWith(AUTHS.token);
    expect(
      (await rejection(client.placeOrder(limitBuy({ amount: new Decimal('0.00001') })))).exchangeCode,
    ).toBe('SmallOrder');
    const oversell = limitBuy({ side: 'sell', amount: new Decimal('1000'), price: priceAt('1.05') });
    expect((await rejection(client.placeOrder(oversell))).exchangeCode).toBe('OverValueOrder');
    expect((await rejection(client.placeOrder(limitBuy({ price: priceAt('2') })))).exchangeCode).toBe(
      'BadPrice',
    );
    const unlisted = limitBuy({ market: { base: 'nosuchcoin', quote: 'rls' }, price: new Decimal('100000') });
    expect((await rejection(client.placeOrder(unlisted))).exchangeCode).toBe('InvalidMarketPair');
    sim.chaos.setMarketClosed('BTCIRT', true);
    const closed = await rejection(client.placeOrder(limitBuy({ clientOrderId: 'closed-1' })));
    expect(closed.exchangeCode).toBe('MarketClosed');
    expect(closed.clientOrderId).toBe('closed-1');
  });

  it('DuplicateOrder within 10 s unless pro, DuplicateClientOrderId while the first is open', async () => {
    const client = clientWith(AUTHS.token);
    await client.placeOrder(limitBuy());
    expect((await rejection(client.placeOrder(limitBuy()))).exchangeCode).toBe('DuplicateOrder');
    await client.placeOrder(limitBuy({ pro: true }));
    await client.placeOrder(limitBuy({ clientOrderId: 'dup-1', pro: true }));
    const duplicate = await rejection(client.placeOrder(limitBuy({ clientOrderId: 'dup-1', pro: true })));
    expect(duplicate.exchangeCode).toBe('DuplicateClientOrderId');
  });

  it('NullIdAndClientOrderId when status is asked with neither id nor clientOrderId', async () => {
    // The client refuses to build such a request, so it is sent raw and read by the client's parser.
    const response = await pool.request({
      group: 'orders',
      method: 'POST',
      path: '/market/orders/status',
      body: '{}',
      headers: { authorization: `Token ${SIMULATOR_DEFAULT_TOKEN}`, 'content-type': 'application/json' },
      priority: 'normal',
    });
    const context = {
      endpoint: 'POST /market/orders/status',
      idempotent: true,
      nowMs: clock.nowMs(),
      rateLimitFallbackBackOffMs: 60_000,
    };
    const body = readResponse(response, context);
    const error = await errorOf(Promise.resolve().then(() => throwIfFailed(body, context)));
    expect(isBusinessRejectionError(error) && error.exchangeCode).toBe('NullIdAndClientOrderId');
  });

  it('update-status on a finished order is a result with the current status, not an error', async () => {
    const client = clientWith(AUTHS.token);
    const placed = await client.placeOrder(limitBuy());
    await client.cancelOrder({ id: placed.id });
    const again = await client.cancelOrder({ id: placed.id });
    expect(again).toMatchObject({ applied: false, currentStatus: 'Canceled' });
    expect(again.order.id).toBe(placed.id);
  });

  it('404 for an unknown order id', async () => {
    const error = await errorOf(clientWith(AUTHS.token).getOrderStatus({ id: 987_654 }));
    expect(isExchangeNotFoundError(error)).toBe(true);
    expect((error as Error).message).toContain('No Order matches the given query.');
  });

  it('401 with the DRF detail for a wrong token and for a bad signature', async () => {
    const wrongToken = clientWith({ kind: 'token', token: 'ab'.repeat(20) });
    const tokenError = await errorOf(wrongToken.getProfile());
    expect(isExchangeAuthError(tokenError) && tokenError.httpStatus).toBe(401);
    expect((tokenError as Error).message).toContain(AUTH_INVALID_DETAIL);
    const otherSeed = Buffer.alloc(32, 1).toString('base64url');
    const badSignature = clientWith({ kind: 'apiKey', publicKey: PUBLIC_KEY_BASE64, privateKey: otherSeed });
    const signatureError = await errorOf(badSignature.getWallets());
    expect(isExchangeAuthError(signatureError)).toBe(true);
    expect((signatureError as Error).message).toContain(AUTH_INVALID_DETAIL);
    expect(AUTH_MISSING_DETAIL).not.toBe(AUTH_INVALID_DETAIL);
  });

  it('429 with backOff and limit once a limit is spent', async () => {
    const client = clientWith(AUTHS.token);
    for (let i = 0; i < 20; i++) await client.getMarketStats();
    const error = await errorOf(client.getMarketStats());
    expect(isExchangeRateLimitedError(error)).toBe(true);
    if (!isExchangeRateLimitedError(error)) return;
    expect(error.httpStatus).toBe(429);
    expect(error.backOffMs).toBe(60_000);
    expect(error.limit).toBe(20);
  });
});
