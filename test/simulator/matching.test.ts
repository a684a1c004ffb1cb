// Goal: the matching engine fills like Nobitex: limit orders rest and fill as the walk crosses them
// (partially on a thin book), market orders fill within 1% and cancel the rest, fees come out of the
// received currency, blocked funds follow the order, and one seed always replays the same run.
// Method: a FakeClock simulator with manual ticks; money checked as exact decimal strings.
import { afterEach, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/core/decimal.js';
import { call, type Harness, harness, limitPrice, order, TOKEN } from './helpers.js';

let h: Harness;
afterEach(async () => h.sim.close());

const add = (fields: Record<string, unknown>) => call(h.sim, 'POST', '/market/orders/add', order(fields));
const orderOf = (body: Record<string, unknown>) => body.order as Record<string, unknown> & { id: number };

async function bookOf(symbol: string) {
  const { body } = await call(h.sim, 'GET', `/v3/orderbook/${symbol}`, undefined, null);
  return { asks: body.asks as [string, string][], bids: body.bids as [string, string][] };
}

describe('limit orders', () => {
  it('rest as Active and block amount × price in the quote currency until cancelled', async () => {
    h = harness({ accounts: [{ token: TOKEN, balances: { rls: '10000000000' } }] });
    const price = limitPrice(h.sim, 'BTCIRT', -0.05);
    const placed = orderOf((await add({ amount: '0.02', price })).body);
    expect(placed.status).toBe('Active');
    const blocked = new Decimal(price).times('0.02').toFixed();
    expect(h.sim.wallets(TOKEN).rls).toEqual({
      balance: '10000000000',
      blocked,
      available: new Decimal('10000000000').minus(blocked).toFixed(),
    });
    await call(h.sim, 'POST', '/market/orders/update-status', { order: placed.id, status: 'canceled' });
    expect(h.sim.wallets(TOKEN).rls!.blocked).toBe('0');
  });

  it('fill on tick once the walk crosses the limit price, at book prices no worse than the limit', async () => {
    h = harness();
    const price = limitPrice(h.sim, 'BTCIRT', -0.004);
    const placed = orderOf((await add({ amount: '0.001', price })).body);
    let ticks = 0;
    while (h.sim.groundTruthOrders()[0]!.status === 'Active' && ticks < 2_000) {
      h.sim.tick();
      ticks++;
    }
    const truth = h.sim.groundTruthOrders()[0]!;
    expect(truth.status).toBe('Done');
    expect(ticks).toBeGreaterThan(0);
    for (const fill of truth.fills) expect(new Decimal(fill.price).lte(price)).toBe(true);
    const status = await call(h.sim, 'POST', '/market/orders/status', { id: placed.id });
    expect(status.body.order).toMatchObject({
      status: 'Done',
      matchedAmount: '0.001',
      unmatchedAmount: '0E-10',
    });
  });

  it('fill partially against a thin book and stay Active with matchedAmount > 0', async () => {
    h = harness();
    const { asks } = await bookOf('BTCIRT');
    const [firstPrice, firstAmount] = asks[0]!;
    const amount = new Decimal(firstAmount).plus('1').toFixed();
    const placed = orderOf((await add({ amount, price: firstPrice })).body);
    expect(placed.status).toBe('Active');
    expect(placed.matchedAmount).toBe(firstAmount);
    expect(placed.partial).toBe(true);
    expect(placed.unmatchedAmount).toBe(new Decimal('1').toFixed(10));
    const { asks: after } = await bookOf('BTCIRT');
    expect(after[0]![0]).not.toBe(firstPrice);
  });
});

describe('market orders', () => {
  it('fill within 1% of the given price and cancel the rest, keeping the partial fill', async () => {
    h = harness();
    const { asks } = await bookOf('BTCIRT');
    const best = new Decimal(asks[0]![0]);
    const bandLimit = best.times('1.01');
    const inBand = asks
      .filter(([p]) => new Decimal(p).lte(bandLimit))
      .reduce((s, [, a]) => s.plus(a), new Decimal(0));
    const { body } = await add({
      execution: 'market',
      amount: inBand.plus('0.5').toFixed(),
      price: best.toFixed(),
    });
    const placed = orderOf(body);
    expect(placed.status).toBe('Canceled');
    expect(placed.matchedAmount).toBe(inBand.toFixed());
    const truth = h.sim.groundTruthOrders()[0]!;
    for (const fill of truth.fills) expect(new Decimal(fill.price).lte(bandLimit)).toBe(true);
    expect(h.sim.wallets(TOKEN).rls!.blocked).toBe('0');
  });

  it('are Done when the band holds enough, with the buy fee in the base currency', async () => {
    h = harness({ accounts: [{ token: TOKEN, balances: { rls: '100000000000', btc: '0' } }] });
    const { body } = await add({ execution: 'market', amount: '0.001' });
    const placed = orderOf(body);
    expect(placed.status).toBe('Done');
    expect(placed.fee).toBe('0.0000015');
    const [trade] = h.sim.trades();
    expect(h.sim.wallets(TOKEN).btc!.balance).toBe('0.0009985');
    expect(h.sim.wallets(TOKEN).rls!.balance).toBe(new Decimal('100000000000').minus(trade!.total).toFixed());
  });

  it('charge the sell fee in the quote currency', async () => {
    h = harness({ accounts: [{ token: TOKEN, balances: { btc: '1' } }] });
    const { body } = await add({ type: 'sell', execution: 'market', amount: '0.001' });
    expect(orderOf(body).status).toBe('Done');
    const trades = h.sim.trades();
    const total = trades.reduce((s, t) => s.plus(t.total), new Decimal(0));
    const fee = trades.reduce((s, t) => s.plus(t.fee), new Decimal(0));
    expect(fee.toFixed()).toBe(
      trades.reduce((s, t) => s.plus(new Decimal(t.total).times('0.0015')), new Decimal(0)).toFixed(),
    );
    expect(h.sim.wallets(TOKEN).rls!.balance).toBe(total.minus(fee).toFixed());
    expect(h.sim.wallets(TOKEN).btc!.balance).toBe('0.999');
  });
});

describe('trades and balances', () => {
  it('gives every fill a unique increasing id and lists them as user trades', async () => {
    h = harness();
    await add({ execution: 'market', amount: '0.05' });
    await add({ type: 'sell', execution: 'market', amount: '0.05' });
    const ids = h.sim.trades().map((t) => t.id);
    expect(ids.length).toBeGreaterThan(2);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    const { body } = await call(h.sim, 'GET', '/market/trades/list?srcCurrency=btc&dstCurrency=rls');
    const listed = body.trades as Record<string, unknown>[];
    expect(listed.length).toBe(ids.length);
    expect(listed[0]).toMatchObject({
      market: 'BTC-RLS',
      srcCurrency: 'Bitcoin',
      dstCurrency: '﷼',
      id: ids[ids.length - 1],
    });
    expect(listed[0]!.timestamp).toMatch(/\.\d{6}\+00:00$/);
  });

  it('shows wallets in both shapes with blocked funds and the 0E-10 / rialBalance quirks', async () => {
    h = harness({ accounts: [{ token: TOKEN, balances: { rls: '5000000000', btc: '0' } }] });
    await add({ amount: '0.01', price: limitPrice(h.sim, 'BTCIRT', -0.05) });
    const v2 = await call(h.sim, 'GET', '/v2/wallets?currencies=rls,btc');
    const wallets = v2.body.wallets as Record<string, { balance: string; blocked: string; id: number }>;
    expect(Object.keys(wallets)).toEqual(['RLS', 'BTC']);
    expect(wallets.BTC!.balance).toBe('0E-10');
    expect(wallets.RLS!.blocked).not.toBe('0');
    const list = await call(h.sim, 'GET', '/users/wallets/list');
    const rls = (list.body.wallets as Record<string, unknown>[]).find((w) => w.currency === 'rls')!;
    expect(rls.rialBalance).toBe(5_000_000_000);
    expect(rls.balance).toBe('5000000000.0000000000');
    expect(rls.blockedBalance).toBe(wallets.RLS!.blocked);
  });

  it('cancels an open order on tick when a drift leaves the wallet short of its blocked funds', async () => {
    h = harness({ accounts: [{ token: TOKEN, balances: { rls: '5000000000' } }] });
    await add({ amount: '0.01', price: limitPrice(h.sim, 'BTCIRT', -0.2) });
    h.sim.setBalance(TOKEN, 'rls', '1000');
    h.sim.tick();
    expect(h.sim.groundTruthOrders()[0]!.status).toBe('Canceled');
    expect(h.sim.wallets(TOKEN).rls).toEqual({ balance: '1000', blocked: '0', available: '1000' });
  });
});

describe('determinism', () => {
  async function run(seed: number) {
    const local = harness({ seed });
    h = local;
    await call(
      local.sim,
      'POST',
      '/market/orders/add',
      order({ amount: '0.003', price: limitPrice(local.sim, 'BTCIRT', -0.003) }),
    );
    const prices: string[] = [];
    for (let i = 0; i < 300; i++) {
      local.sim.tick();
      prices.push(local.sim.lastPrice('BTCIRT'), local.sim.lastPrice('USDTIRT'));
    }
    const result = { prices, orders: local.sim.groundTruthOrders(), trades: local.sim.trades() };
    await local.sim.close();
    return result;
  }

  it('replays the same prices and fills for the same seed, and differs for another seed', async () => {
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    h = harness();
    expect(a.trades.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
    expect(c.prices).not.toEqual(a.prices);
  });
});
