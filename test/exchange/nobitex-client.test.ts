// Goal: every client method parses the reference's example answers (quirks included) into domain
// types, and sends well-formed, authenticated requests. Method: a scripted server on loopback behind
// the real ConnectionPool; Ed25519 signatures are verified in the server with node:crypto.
import { createPrivateKey, createPublicKey, verify } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { Decimal } from '../../src/core/decimal.js';
import { createRng } from '../../src/core/random.js';
import { ConnectionPool } from '../../src/exchange/connection-pool/connection-pool.js';
import { NobitexClient } from '../../src/exchange/nobitex-client/nobitex-client.js';
import type { Order } from '../../src/exchange/nobitex-client/types.js';
import * as P from './helpers/nobitex-payloads.js';
import { type RecordedRequest, type ScriptedServer, startScriptedServer } from './helpers/scripted-server.js';

const BTC_RLS = { base: 'btc', quote: 'rls' } as const;
const USDT_RLS = { base: 'usdt', quote: 'rls' } as const;
const SEED = Buffer.alloc(32, 7).toString('base64url');

const ROUTES: Record<string, string> = {
  'GET /v3/orderbook/BTCIRT': P.ORDERBOOK_BTCIRT,
  'GET /v3/orderbook/all': P.ORDERBOOK_ALL,
  'GET /v2/trades/BTCIRT': P.TRADES_BTCIRT,
  'GET /market/stats': P.MARKET_STATS,
  'GET /market/udf/history': P.OHLC,
  'GET /v2/options': P.OPTIONS,
  'POST /market/orders/add': P.ORDER_ADD_OK,
  'POST /market/orders/status': P.ORDER_STATUS_MARKET,
  'GET /market/orders/list': P.ORDERS_LIST,
  'POST /market/orders/update-status': P.CANCEL_OK,
  'POST /market/orders/cancel-old': P.CANCEL_OLD_OK,
  'GET /market/trades/list': P.USER_TRADES,
  'GET /users/wallets/list': P.WALLETS,
  'GET /v2/wallets': P.WALLETS_V2,
  'GET /users/profile': P.PROFILE,
};

const route = (request: RecordedRequest) => {
  const body = ROUTES[`${request.method} ${request.path.split('?')[0]}`];
  return body === undefined ? { status: 404, body: '{"detail":"Not found."}' } : { body };
};

let server: ScriptedServer;
let pool: ConnectionPool;
let clock: FakeClock;

const tokenClient = () =>
  new NobitexClient({
    transport: pool,
    auth: { kind: 'token', token: P.TOKEN },
    userAgent: 'TraderBot/keel-0.1.0',
    clock,
  });

beforeEach(async () => {
  server = await startScriptedServer(route);
  clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
  pool = new ConnectionPool({ baseUrls: [server.url], clock, rng: createRng(1) });
});
afterEach(async () => {
  await pool.close();
  await server.close();
});

const d = (text: string) => new Decimal(text);

describe('NobitexClient market data', () => {
  it('parses one v3 order book with asks ascending and bids descending as Decimals', async () => {
    const book = await tokenClient().getOrderBook(BTC_RLS);
    expect(book.symbol).toBe('BTCIRT');
    expect(book.lastUpdateAtMs).toBe(1644991756704);
    expect(book.lastTradePrice?.eq(d('35650565900'))).toBe(true);
    expect(book.asks.map((l) => [l.price.toFixed(), l.amount.toFixed()])).toEqual([
      ['1476091000', '1.016'],
      ['1479700000', '0.2561'],
    ]);
    expect(book.bids[0]?.amount.eq(d('0.126571'))).toBe(true);
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
    expect(server.requests[0]?.headers['user-agent']).toBe('TraderBot/keel-0.1.0');
  });

  it('parses the all-markets order book keyed by symbol', async () => {
    const books = await tokenClient().getOrderBook('all');
    expect([...books.keys()]).toEqual(['BTCIRT', 'USDTIRT']);
    expect(books.get('USDTIRT')?.bids[0]?.amount.eq(d('57.3605'))).toBe(true);
    expect(books.get('BTCIRT')?.lastTradePrice).toBeNull();
  });

  it('parses recent trades with ms times and sides', async () => {
    const trades = await tokenClient().getRecentTrades(BTC_RLS);
    expect(trades).toHaveLength(1);
    expect(trades[0]?.timeMs).toBe(1588689375067);
    expect(trades[0]?.side).toBe('sell');
    expect(trades[0]?.volume.eq(d('0.002'))).toBe(true);
  });

  it('parses market stats keyed btc-rls, keeps trailing-zero decimals exact, ignores global', async () => {
    const stats = await tokenClient().getMarketStats({ src: ['btc', 'usdt'], dst: ['rls'] });
    expect(server.requests[0]?.path).toBe('/market/stats?srcCurrency=btc,usdt&dstCurrency=rls');
    expect([...stats.keys()]).toEqual(['btc-rls']);
    const btc = stats.get('btc-rls');
    expect(btc?.market).toEqual(BTC_RLS);
    expect(btc?.volumeDst.toFixed()).toBe('212724856.067864');
    expect(btc?.dayChangePercent.eq(d('9.38'))).toBe(true);
    expect(btc?.isClosed).toBe(false);
  });

  it('parses OHLC columns (JSON numbers, lossless volumes) into candles with ms times', async () => {
    const candles = await tokenClient().getOhlc({
      market: BTC_RLS,
      resolution: 'D',
      toMs: 1_562_200_000_999,
      countback: 2,
    });
    expect(server.requests[0]?.path).toBe(
      '/market/udf/history?symbol=BTCIRT&resolution=D&to=1562200000&countback=2',
    );
    expect(candles).toHaveLength(2);
    expect(candles[0]?.timeMs).toBe(1_562_095_800_000);
    expect(candles[0]?.volume.toFixed()).toBe('18.221362316');
    expect(candles[1]?.close.eq(d('150000000'))).toBe(true);
  });

  it('returns no candles for s=no_data and a business rejection for s=error', async () => {
    server.script = () => ({ body: '{"s":"no_data"}' });
    expect(await tokenClient().getOhlc({ market: BTC_RLS, resolution: '60', toMs: 1e12 })).toEqual([]);
    server.script = () => ({ body: '{"s":"error","errmsg":"Invalid resolution!"}' });
    await expect(
      tokenClient().getOhlc({ market: BTC_RLS, resolution: '60', toMs: 1e12 }),
    ).rejects.toMatchObject({
      code: 'KEEL_ERR_EXCHANGE_BUSINESS_REJECTION',
      exchangeCode: 'UdfError',
    });
  });

  it('reads minimum orders and precisions from /v2/options as Decimals', async () => {
    const options = await tokenClient().getOptions();
    expect(options.minOrders.get('rls')?.eq(d('3000000'))).toBe(true);
    expect(options.minOrders.get('usdt')?.eq(d('11'))).toBe(true);
    expect(options.amountPrecisions.get('BTCIRT')?.toFixed()).toBe('0.000001');
    expect(options.pricePrecisions.get('BTCUSDT')?.toFixed()).toBe('0.01');
  });
});

const expectOrder25 = (order: Order) => {
  expect(order.id).toBe(25);
  expect(order.market).toEqual(BTC_RLS);
  expect(order.side).toBe('buy');
  expect(order.execution).toBe('limit');
  expect(order.status).toBe('Active');
  expect(order.price).toEqual(d('520000000'));
  expect(order.amount.eq(d('0.6'))).toBe(true);
  expect(order.clientOrderId).toBe('order1');
  expect(order.createdAtMs).toBe(Date.UTC(2018, 10, 28, 11, 36, 13, 592));
};

describe('NobitexClient orders', () => {
  it('places a limit order with plain decimal strings and the token header', async () => {
    const order = await tokenClient().placeOrder({
      market: BTC_RLS,
      side: 'buy',
      execution: 'limit',
      amount: d('6e-1'),
      price: d('5.2e8'),
      clientOrderId: 'order1',
      pro: true,
    });
    expectOrder25(order);
    const request = server.requests[0];
    expect(request?.headers.authorization).toBe(`Token ${P.TOKEN}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      type: 'buy',
      execution: 'limit',
      srcCurrency: 'btc',
      dstCurrency: 'rls',
      amount: '0.6',
      price: '520000000',
      clientOrderId: 'order1',
      pro: 'yes',
    });
  });

  it('rejects a limit order without price before sending anything', async () => {
    await expect(
      tokenClient().placeOrder({ market: BTC_RLS, side: 'buy', execution: 'limit', amount: d('1') }),
    ).rejects.toThrow(RangeError);
    expect(server.requests).toHaveLength(0);
  });

  it('parses a market order with JSON-number fields, 0E-10, ریال and no market field', async () => {
    const order = await tokenClient().getOrderStatus({ id: 5684 });
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({ id: 5684 });
    expect(order.market).toEqual(USDT_RLS);
    expect(order.price).toBe('market');
    expect(order.execution).toBe('market');
    expect(order.matchedAmount.eq(d('57.3605'))).toBe(true);
    expect(order.unmatchedAmount.isZero()).toBe(true);
    expect(order.fee.isZero()).toBe(true);
    expect(order.averagePrice.toFixed()).toBe('316800');
    expect(order.clientOrderId).toBeNull();
  });

  it('looks an order up by clientOrderId', async () => {
    await tokenClient().getOrderStatus({ clientOrderId: 'order1' });
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({ clientOrderId: 'order1' });
  });

  it('lists orders with details=2 and skips orders in markets Keel cannot parse', async () => {
    const result = await tokenClient().listOrders({ status: 'open', market: BTC_RLS, pageSize: 50 });
    expect(server.requests[0]?.path).toBe(
      '/market/orders/list?status=open&srcCurrency=btc&dstCurrency=rls&details=2&pageSize=50',
    );
    expect(result.orders).toHaveLength(1);
    expect(result.skippedUnknownMarketCount).toBe(1);
    expect(result.orders[0]?.partial).toBe(true);
    expect(result.orders[0]?.matchedAmount.eq(d('0.2'))).toBe(true);
    expect(result.hasNext).toBe(false);
  });

  it('cancels through update-status and reports the cancel as applied', async () => {
    const result = await tokenClient().cancelOrder({ id: 5684 });
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({ order: 5684, status: 'canceled' });
    expect(result.applied).toBe(true);
    expect(result.currentStatus).toBe('Canceled');
    expect(result.order.unmatchedAmount.eq(d('60'))).toBe(true);
  });

  it('returns applied=false with the current status when the order was already done', async () => {
    server.script = () => ({ body: P.CANCEL_NOT_APPLIED });
    const result = await tokenClient().cancelOrder({ clientOrderId: 'order1' });
    expect(result).toMatchObject({ applied: false, currentStatus: 'Done' });
    expect(result.order.matchedAmount.eq(d('60'))).toBe(true);
  });

  it('turns a failed update-status without an order into a business rejection', async () => {
    server.script = () => ({ body: P.NULL_ID_FAILED });
    await expect(tokenClient().cancelOrder({ id: 1 })).rejects.toMatchObject({
      exchangeCode: 'NullIdAndClientOrderId',
    });
  });

  it('cancels old orders with the filters in the body', async () => {
    await tokenClient().cancelOld({ hours: 0.5, market: BTC_RLS });
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({
      hours: 0.5,
      srcCurrency: 'btc',
      dstCurrency: 'rls',
    });
  });
});

describe('NobitexClient account', () => {
  it('lists user trades with display names mapped to the market', async () => {
    const { trades, hasNext } = await tokenClient().listUserTrades({ market: USDT_RLS, fromId: 123000 });
    expect(server.requests[0]?.path).toBe(
      '/market/trades/list?srcCurrency=usdt&dstCurrency=rls&fromId=123000',
    );
    expect(hasNext).toBe(false);
    expect(trades[0]).toMatchObject({ id: 123412, orderId: 1231222, market: USDT_RLS, side: 'sell' });
    expect(trades[0]?.fee.eq(d('27257.7096'))).toBe(true);
    expect(trades[0]?.executedAtMs).toBe(Date.UTC(2022, 6, 5, 9, 57, 38, 560));
  });

  it('reads wallets: balance, blocked and active per currency', async () => {
    const wallets = await tokenClient().getWallets();
    expect(wallets.get('rls')?.balance.eq(d('746212980'))).toBe(true);
    expect(wallets.get('btc')?.blocked.eq(d('0.005'))).toBe(true);
    expect(wallets.get('btc')?.active.eq(d('0.01'))).toBe(true);
  });

  it('reads v2 wallets with UPPERCASE keys as lowercase codes, 0E-10 as zero', async () => {
    const wallets = await tokenClient().getWalletsV2({ currencies: ['rls', 'btc'] });
    expect(server.requests[0]?.path).toBe('/v2/wallets?currencies=rls,btc');
    expect(wallets.get('rls')?.balance.isZero()).toBe(true);
    expect(wallets.get('btc')?.balance.toFixed()).toBe('25500000');
    expect(wallets.get('btc')?.blocked.eq(d('3'))).toBe(true);
  });

  it('reads the profile and the websocket auth parameter', async () => {
    const profile = await tokenClient().getProfile();
    expect(profile.websocketAuthParam).toBe('1987577cdf7c7422dee369e188e276ee');
    expect(profile.feePercent?.eq(d('0.35'))).toBe(true);
    expect(profile.monthTradesCount).toBe(0);
  });
});

describe('NobitexClient API-key auth', () => {
  it('signs timestamp + METHOD + path-with-query + body with Ed25519, base64url, verifiable by the public key', async () => {
    const privateKey = createPrivateKey({
      key: Buffer.concat([
        Buffer.from('302e020100300506032b657004220420', 'hex'),
        Buffer.from(SEED, 'base64url'),
      ]),
      format: 'der',
      type: 'pkcs8',
    });
    const publicKey = createPublicKey(privateKey);
    const publicKeyText = (publicKey.export({ format: 'jwk' }).x as string) ?? '';
    const verified: boolean[] = [];
    server.script = (request) => {
      const timestamp = String(request.headers['nobitex-timestamp']);
      const signature = Buffer.from(String(request.headers['nobitex-signature']), 'base64url');
      const message = Buffer.from(`${timestamp}${request.method}${request.path}${request.body}`, 'utf8');
      verified.push(
        verify(null, message, publicKey, signature) && request.headers['nobitex-key'] === publicKeyText,
      );
      return route(request);
    };
    const client = new NobitexClient({
      transport: pool,
      auth: { kind: 'apiKey', publicKey: publicKeyText, privateKey: SEED },
      userAgent: 'TraderBot/keel-0.1.0',
      clock,
    });
    await client.listOrders({ status: 'all', fromId: 123 });
    await client.placeOrder({
      market: BTC_RLS,
      side: 'buy',
      execution: 'market',
      amount: d('0.001'),
      price: d('1e9'),
    });
    expect(verified).toEqual([true, true]);
    expect(server.requests[0]?.headers['nobitex-timestamp']).toBe(String(Date.UTC(2026, 0, 1, 12) / 1000));
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
    expect(server.requests[0]?.path).toContain('?status=all&details=2&fromId=123');
  });

  it('refuses a private key that is not a 32-byte seed without echoing it', () => {
    const secret = Buffer.alloc(16, 9).toString('base64url');
    const create = () =>
      new NobitexClient({
        transport: pool,
        auth: { kind: 'apiKey', publicKey: 'pk', privateKey: secret },
        userAgent: 'TraderBot/keel-0.1.0',
        clock,
      });
    expect(create).toThrow(/32-byte/);
    expect(() => create()).not.toThrow(secret);
  });
});
