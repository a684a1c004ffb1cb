// Goal: every public market-data endpoint answers with Nobitex's shapes and quirks.
// Method: app.inject() against a simulator on a FakeClock with manual ticks.
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MARKETS } from '../../src/exchange/simulator/index.js';
import { call, type Harness, harness } from './helpers.js';

let h: Harness;
afterEach(async () => h.sim.close());

describe('public market data', () => {
  it('serves the v3 order book with ascending asks, descending bids and string levels', async () => {
    h = harness();
    const { statusCode, body } = await call(h.sim, 'GET', '/v3/orderbook/BTCIRT', undefined, null);
    expect(statusCode).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.lastUpdate).toBe(h.clock.nowMs());
    expect(body.lastTradePrice).toBe(h.sim.lastPrice('BTCIRT'));
    const asks = body.asks as [string, string][];
    const bids = body.bids as [string, string][];
    expect(asks.length).toBeGreaterThan(10);
    for (const [price, amount] of [...asks, ...bids]) {
      expect(price).toMatch(/^\d+$/);
      expect(amount).toMatch(/^\d+(\.\d+)?$/);
    }
    const askPrices = asks.map(([p]) => BigInt(p));
    const bidPrices = bids.map(([p]) => BigInt(p));
    expect([...askPrices].sort((a, b) => (a < b ? -1 : 1))).toEqual(askPrices);
    expect([...bidPrices].sort((a, b) => (a > b ? -1 : 1))).toEqual(bidPrices);
    expect(bidPrices[0]! < askPrices[0]!).toBe(true);
  });

  it('serves every market under `all`, keyed by IRT symbols', async () => {
    h = harness();
    const { body } = await call(h.sim, 'GET', '/v3/orderbook/all', undefined, null);
    expect(Object.keys(body).sort()).toEqual([...DEFAULT_MARKETS.map((m) => m.symbol), 'status'].sort());
    // A listing beyond the first five, and a scaled ticker, as Nobitex names them.
    expect(Object.keys(body)).toEqual(expect.arrayContaining(['BTCIRT', 'SOLUSDT', '1M_PEPEIRT']));
    expect((body.USDTIRT as { asks: unknown[] }).asks.length).toBeGreaterThan(0);
  });

  it('moves the book and the last price on tick', async () => {
    h = harness();
    const before = h.sim.lastPrice('ETHIRT');
    h.sim.tick(5);
    expect(h.sim.lastPrice('ETHIRT')).not.toBe(before);
  });

  it('lists public trades newest first with ms times and buy/sell types', async () => {
    h = harness();
    h.sim.tick(3);
    const { body } = await call(h.sim, 'GET', '/v2/trades/BTCUSDT', undefined, null);
    const trades = body.trades as { time: number; price: string; volume: string; type: string }[];
    expect(trades.length).toBe(3);
    for (const trade of trades) {
      expect(typeof trade.time).toBe('number');
      expect(trade.price).toMatch(/^\d+(\.\d+)?$/);
      expect(['buy', 'sell']).toContain(trade.type);
    }
    expect(trades[0]!.price).toBe(h.sim.lastPrice('BTCUSDT'));
  });

  it('keys market stats as lower-case src-rls and filters by comma lists', async () => {
    h = harness();
    const all = await call(h.sim, 'GET', '/market/stats', undefined, null);
    expect(Object.keys(all.body.stats as object).sort()).toEqual(
      DEFAULT_MARKETS.map((m) => `${m.base}-${m.quote}`).sort(),
    );
    const some = await call(
      h.sim,
      'GET',
      '/market/stats?srcCurrency=btc,eth&dstCurrency=rls',
      undefined,
      null,
    );
    const stats = some.body.stats as Record<string, Record<string, unknown>>;
    expect(Object.keys(stats).sort()).toEqual(['btc-rls', 'eth-rls']);
    const btc = stats['btc-rls']!;
    expect(btc.isClosed).toBe(false);
    expect(btc.latest).toBe(h.sim.lastPrice('BTCIRT'));
    expect(btc.volumeSrc).toMatch(/^\d+\.\d{10}$/);
    for (const key of [
      'bestSell',
      'bestBuy',
      'mark',
      'dayLow',
      'dayHigh',
      'dayOpen',
      'dayClose',
      'dayChange',
    ])
      expect(typeof btc[key]).toBe('string');
  });

  it('answers UDF history with JSON numbers, no_data and error', async () => {
    h = harness();
    const toSec = h.clock.nowMs() / 1000;
    const ok = await call(
      h.sim,
      'GET',
      `/market/udf/history?symbol=BTCIRT&resolution=60&to=${toSec}&countback=5`,
    );
    expect(ok.body.s).toBe('ok');
    expect((ok.body.t as number[]).length).toBe(5);
    for (const key of ['o', 'h', 'l', 'c', 'v']) expect(typeof (ok.body[key] as unknown[])[0]).toBe('number');
    const t = ok.body.t as number[];
    expect(t[1]! - t[0]!).toBe(3600);
    const old = await call(h.sim, 'GET', `/market/udf/history?symbol=BTCIRT&resolution=D&from=1000&to=2000`);
    expect(old.body).toEqual({ s: 'no_data' });
    const bad = await call(h.sim, 'GET', `/market/udf/history?symbol=BTCIRT&resolution=7&to=${toSec}`);
    expect(bad.body).toEqual({ s: 'error', errmsg: 'Invalid resolution!' });
  });

  it('pages UDF history by 500 candles, newest page first', async () => {
    h = harness();
    const toSec = h.clock.nowMs() / 1000;
    const first = await call(
      h.sim,
      'GET',
      `/market/udf/history?symbol=BTCIRT&resolution=1&from=0&to=${toSec}`,
    );
    const second = await call(
      h.sim,
      'GET',
      `/market/udf/history?symbol=BTCIRT&resolution=1&from=0&to=${toSec}&page=2`,
    );
    const a = first.body.t as number[];
    const b = second.body.t as number[];
    expect(a.length).toBe(500);
    expect(b.length).toBe(500);
    expect(b[b.length - 1]!).toBeLessThan(a[0]!);
  });

  it('publishes minimum orders and precisions keyed by symbol in /v2/options', async () => {
    h = harness();
    const { body } = await call(h.sim, 'GET', '/v2/options', undefined, null);
    const nobitex = body.nobitex as Record<string, Record<string, string>>;
    expect(nobitex.minOrders).toEqual({ rls: '3000000', usdt: '11' });
    expect(nobitex.amountPrecisions!.BTCIRT).toBe('0.000001');
    expect(nobitex.pricePrecisions!.BTCIRT).toBe('10');
    expect(nobitex.pricePrecisions!.BTCUSDT).toBe('0.01');
  });

  it('answers unknown paths and trailing slashes with 404', async () => {
    h = harness();
    expect((await call(h.sim, 'GET', '/v3/orderbook/BTCIRT/', undefined, null)).statusCode).toBe(404);
    expect((await call(h.sim, 'GET', '/market/stats/', undefined, null)).statusCode).toBe(404);
  });
});
