// Goal: stop-market, stop-limit and OCO orders behave as Nobitex documents them: `Inactive` until the
// market reaches the stop, the stop price shown as `param1`, OCO legs linked by `pairId` (in their
// placing answer and status, not in the order list), the price checks with their codes, and one leg's
// fill or cancel ending the other.
// Method: app.inject() on a FakeClock simulator without ticks; setPrice moves the market on purpose.
import { afterEach, describe, expect, it } from 'vitest';
import { call, type Harness, harness, limitPrice, order, TOKEN } from './helpers.js';

let h: Harness;
afterEach(async () => h.sim.close());

const add = (fields: Record<string, unknown>) =>
  call(h.sim, 'POST', '/market/orders/add', order(fields), TOKEN);
const status = async (id: number) =>
  (await call(h.sim, 'POST', '/market/orders/status', { id })).body.order as Record<string, unknown>;
const btcBalance = () => h.sim.wallets(TOKEN).btc;

type Leg = { id: number; pairId: number; status: string; execution: string; param1: string };

async function sellOco(): Promise<{ limit: Leg; stop: Leg; stopPrice: string }> {
  const stopPrice = limitPrice(h.sim, 'BTCIRT', -0.05);
  const response = await add({
    type: 'sell',
    mode: 'oco',
    amount: '0.01',
    price: limitPrice(h.sim, 'BTCIRT', 0.05),
    stopPrice,
    stopLimitPrice: limitPrice(h.sim, 'BTCIRT', -0.06),
    clientOrderId: 'oco-1',
  });
  expect(response.body.status).toBe('ok');
  const [limit, stop] = response.body.orders as Leg[];
  return { limit: limit as Leg, stop: stop as Leg, stopPrice };
}

describe('stop orders', () => {
  it('places a stop-market sell as Inactive with param1 and fills it when the price falls to the stop', async () => {
    h = harness();
    const stopPrice = limitPrice(h.sim, 'BTCIRT', -0.03);
    const { body } = await add({ type: 'sell', execution: 'stop_market', amount: '0.01', stopPrice });
    expect(body.order).toMatchObject({
      execution: 'StopMarket',
      price: 'market',
      param1: stopPrice,
      status: 'Inactive',
    });
    const id = (body.order as { id: number }).id;
    expect(btcBalance()?.blocked).toBe('0.01');
    h.sim.setPrice('BTCIRT', limitPrice(h.sim, 'BTCIRT', -0.01));
    expect((await status(id)).status).toBe('Inactive');
    h.sim.setPrice('BTCIRT', stopPrice);
    const filled = await status(id);
    expect(filled.status).toBe('Done');
    expect(filled.matchedAmount).toBe('0.01');
    expect(btcBalance()?.blocked).toBe('0');
  });

  it('turns a triggered stop-limit buy into a resting limit order at its price', async () => {
    h = harness();
    const stopPrice = limitPrice(h.sim, 'BTCIRT', 0.03);
    const price = limitPrice(h.sim, 'BTCIRT', 0.02);
    const { body } = await add({ execution: 'stop_limit', amount: '0.01', price, stopPrice });
    expect(body.order).toMatchObject({
      execution: 'StopLimit',
      price,
      param1: stopPrice,
      status: 'Inactive',
    });
    const id = (body.order as { id: number }).id;
    // The market jumps above the limit: triggered, but nothing on the book is cheap enough.
    h.sim.setPrice('BTCIRT', limitPrice(h.sim, 'BTCIRT', 0.04));
    expect((await status(id)).status).toBe('Active');
    expect((await status(id)).matchedAmount).toBe(0);
  });

  it.each([
    ['sell', 0.01, 'a sell stop above the market'],
    ['buy', -0.01, 'a buy stop below the market'],
  ])('refuses %s stops already reached (BadPrice): %s', async (type, offset) => {
    h = harness();
    const { body } = await add({
      type,
      execution: 'stop_market',
      amount: '0.01',
      stopPrice: limitPrice(h.sim, 'BTCIRT', offset as number),
    });
    expect(body).toMatchObject({ status: 'failed', code: 'BadPrice' });
  });

  it('refuses a stop order without a stop price (InvalidOrderPrice)', async () => {
    h = harness();
    const { body } = await add({ type: 'sell', execution: 'stop_market', amount: '0.01' });
    expect(body).toMatchObject({ status: 'failed', code: 'InvalidOrderPrice' });
  });

  it('triggers a stop when another process moves the price through POST /_chaos setPrice', async () => {
    h = harness();
    const stopPrice = limitPrice(h.sim, 'BTCIRT', -0.03);
    const { body } = await add({ type: 'sell', execution: 'stop_market', amount: '0.01', stopPrice });
    const moved = await call(h.sim, 'POST', '/_chaos', {
      action: 'setPrice',
      symbol: 'BTCIRT',
      price: stopPrice,
    });
    expect(moved.body.status).toBe('ok');
    expect((await status((body.order as { id: number }).id)).status).toBe('Done');
    const bad = await call(h.sim, 'POST', '/_chaos', { action: 'setPrice', symbol: 'BTCIRT', price: '-1' });
    expect(bad.statusCode).toBe(400);
  });

  it('keeps inactive stop orders in the open list and finds them by clientOrderId', async () => {
    h = harness();
    const stopPrice = limitPrice(h.sim, 'BTCIRT', -0.03);
    await add({ type: 'sell', execution: 'stop_market', amount: '0.01', stopPrice, clientOrderId: 's-1' });
    const list = await call(h.sim, 'GET', '/market/orders/list?details=2');
    expect((list.body.orders as { status: string }[]).map((o) => o.status)).toEqual(['Inactive']);
    const found = await call(h.sim, 'POST', '/market/orders/status', { clientOrderId: 's-1' });
    expect((found.body.order as { status: string }).status).toBe('Inactive');
  });
});

describe('OCO orders', () => {
  it('answers with both legs linked by pairId: the limit leg Active, the stop-limit leg Inactive without clientOrderId', async () => {
    h = harness();
    const { limit, stop, stopPrice } = await sellOco();
    expect(limit).toMatchObject({
      execution: 'Limit',
      status: 'Active',
      pairId: stop.id,
      clientOrderId: 'oco-1',
    });
    expect(stop).toMatchObject({
      execution: 'StopLimit',
      status: 'Inactive',
      pairId: limit.id,
      param1: stopPrice,
      clientOrderId: null,
    });
    // One balance for both legs.
    expect(btcBalance()?.blocked).toBe('0.01');
  });

  it('links the legs in order status but not in the order list, whose documented fields have no pairId', async () => {
    h = harness();
    const { limit, stop } = await sellOco();
    expect(await status(stop.id)).toMatchObject({ pairId: limit.id });
    for (const details of ['1', '2']) {
      const list = await call(h.sim, 'GET', `/market/orders/list?details=${details}`);
      const orders = list.body.orders as Record<string, unknown>[];
      expect(orders).toHaveLength(2);
      expect(orders.some((order) => 'pairId' in order)).toBe(false);
    }
  });

  it('fills the stop leg when the price falls through the stop and cancels the limit leg', async () => {
    h = harness();
    const { limit, stop, stopPrice } = await sellOco();
    const before = h.sim.wallets(TOKEN).rls?.balance;
    h.sim.setPrice('BTCIRT', stopPrice);
    expect((await status(limit.id)).status).toBe('Canceled');
    const stopLeg = await status(stop.id);
    expect(stopLeg.status).toBe('Done');
    expect(stopLeg.matchedAmount).toBe('0.01');
    expect(h.sim.wallets(TOKEN).rls?.balance).not.toBe(before);
    expect(btcBalance()?.blocked).toBe('0');
  });

  it('cancels the stop leg when the limit leg fills', async () => {
    h = harness();
    const { limit, stop } = await sellOco();
    h.sim.setPrice('BTCIRT', limitPrice(h.sim, 'BTCIRT', 0.06));
    expect((await status(limit.id)).status).toBe('Done');
    expect((await status(stop.id)).status).toBe('Canceled');
  });

  it.each(['limit', 'stop'] as const)('cancelling the %s leg cancels both', async (leg) => {
    h = harness();
    const legs = await sellOco();
    const response = await call(h.sim, 'POST', '/market/orders/update-status', {
      order: legs[leg].id,
      status: 'canceled',
    });
    expect(response.body).toMatchObject({ status: 'ok', updatedStatus: 'Canceled' });
    expect((await status(legs.limit.id)).status).toBe('Canceled');
    expect((await status(legs.stop.id)).status).toBe('Canceled');
    expect(btcBalance()?.blocked).toBe('0');
  });

  it.each([
    ['the limit price below the market', { price: -0.02 }],
    ['the stop price above the market', { stopPrice: 0.02 }],
    ['the stop limit price above the market', { stopLimitPrice: 0.02 }],
  ])('refuses a sell OCO with %s (PriceConditionFailed)', async (_name, offsets) => {
    h = harness();
    const offset = { price: 0.05, stopPrice: -0.05, stopLimitPrice: -0.06, ...offsets };
    const { body } = await add({
      type: 'sell',
      mode: 'oco',
      amount: '0.01',
      price: limitPrice(h.sim, 'BTCIRT', offset.price),
      stopPrice: limitPrice(h.sim, 'BTCIRT', offset.stopPrice),
      stopLimitPrice: limitPrice(h.sim, 'BTCIRT', offset.stopLimitPrice),
    });
    expect(body).toMatchObject({ status: 'failed', code: 'PriceConditionFailed' });
  });

  it('refuses a buy OCO whose limit price is above the market (PriceConditionFailed)', async () => {
    h = harness();
    const { body } = await add({
      mode: 'oco',
      amount: '0.01',
      price: limitPrice(h.sim, 'BTCIRT', 0.02),
      stopPrice: limitPrice(h.sim, 'BTCIRT', 0.05),
      stopLimitPrice: limitPrice(h.sim, 'BTCIRT', 0.06),
    });
    expect(body).toMatchObject({ status: 'failed', code: 'PriceConditionFailed' });
  });

  it('cancel-old leaves an inactive plain stop order but cancels both legs of an OCO', async () => {
    h = harness();
    const stop = await add({
      type: 'sell',
      execution: 'stop_market',
      amount: '0.01',
      stopPrice: limitPrice(h.sim, 'BTCIRT', -0.1),
    });
    const { limit, stop: stopLeg } = await sellOco();
    expect((await call(h.sim, 'POST', '/market/orders/cancel-old', {})).body.status).toBe('ok');
    expect((await status((stop.body.order as { id: number }).id)).status).toBe('Inactive');
    expect((await status(limit.id)).status).toBe('Canceled');
    expect((await status(stopLeg.id)).status).toBe('Canceled');
  });

  it('survives a restart of a persisted simulator with its legs and stop prices', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const stateFile = join(mkdtempSync(join(tmpdir(), 'keel-sim-oco-')), 'state.json');
    h = harness({ stateFile });
    const { limit, stop, stopPrice } = await sellOco();
    await h.sim.close();
    h = harness({ stateFile });
    expect(await status(stop.id)).toMatchObject({ status: 'Inactive', pairId: limit.id, param1: stopPrice });
    h.sim.setPrice('BTCIRT', stopPrice);
    expect((await status(limit.id)).status).toBe('Canceled');
    expect((await status(stop.id)).status).toBe('Done');
  });
});
