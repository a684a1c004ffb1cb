// Goal: the order endpoints answer with Nobitex's shapes, quirks and business error codes.
// Method: app.inject() on a FakeClock simulator with manual ticks (prices move only when asked).
import { afterEach, describe, expect, it } from 'vitest';
import { call, type Harness, harness, limitPrice, OTHER_TOKEN, order, TOKEN } from './helpers.js';

let h: Harness;
afterEach(async () => h.sim.close());

const add = (fields: Record<string, unknown>, token = TOKEN) =>
  call(h.sim, 'POST', '/market/orders/add', order(fields), token);

describe('POST /market/orders/add', () => {
  it('places a resting limit order and answers with the quirky order shape', async () => {
    h = harness();
    const price = limitPrice(h.sim, 'BTCIRT', -0.05);
    const { statusCode, body } = await add({ amount: '0.01', price, clientOrderId: 'c-1' });
    expect(statusCode).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.order).toMatchObject({
      type: 'buy',
      execution: 'Limit',
      market: 'BTC-RLS',
      srcCurrency: 'Bitcoin',
      dstCurrency: '﷼',
      price,
      amount: '0.01',
      matchedAmount: '0',
      unmatchedAmount: '0.0100000000',
      status: 'Active',
      partial: false,
      fee: '0',
      averagePrice: '0',
      totalPrice: '0',
      clientOrderId: 'c-1',
    });
    const created = (body.order as { created_at: string }).created_at;
    expect(created).toMatch(/^2026-01-01T00:00:00\.\d{6}\+00:00$/);
    expect(typeof (body.order as { id: unknown }).id).toBe('number');
  });

  it('shows "market" as the price of a market order and dstCurrency Tether on USDT markets', async () => {
    h = harness();
    const { body } = await add({ execution: 'market', dstCurrency: 'usdt', amount: '0.001' });
    expect(body.order).toMatchObject({
      execution: 'Market',
      price: 'market',
      market: 'BTC-USDT',
      dstCurrency: 'Tether',
    });
  });

  it('accepts a form-urlencoded body', async () => {
    h = harness();
    const price = limitPrice(h.sim, 'BTCIRT', -0.05);
    const response = await h.sim.app.inject({
      method: 'POST',
      url: '/market/orders/add',
      headers: { authorization: `Token ${TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `type=buy&srcCurrency=btc&dstCurrency=rls&amount=0.01&price=${price}`,
    });
    expect(response.json().status).toBe('ok');
  });

  it("rounds the amount down to the precision and the price with banker's rounding", async () => {
    h = harness();
    const base = BigInt(limitPrice(h.sim, 'BTCIRT', -0.05, 100));
    const first = await add({ amount: '0.0123459', price: `${base + 15n}`, pro: 'yes' });
    expect(first.body.order).toMatchObject({ amount: '0.012345', price: `${base + 20n}` });
    const second = await add({ amount: '0.0123459', price: `${base + 25n}`, pro: 'yes' });
    expect((second.body.order as { price: string }).price).toBe(`${base + 20n}`);
  });

  it.each([
    ['SmallOrder', { amount: '0.00001', priceOffset: 0 }],
    ['BadPrice', { amount: '0.01', priceOffset: 0.31 }],
    ['BadPrice', { amount: '0.01', priceOffset: -0.31 }],
    ['InvalidOrderPrice', { amount: '0.01', price: '0' }],
    ['InvalidOrderPrice', { amount: '0.01' }],
    ['InvalidMarketPair', { amount: '0.01', srcCurrency: 'nosuchcoin', priceOffset: 0 }],
    ['InvalidMarketPair', { amount: '0.01', dstCurrency: 'eth', priceOffset: 0 }],
  ])('rejects with %s as HTTP 200 status failed and echoes clientOrderId', async (code, fields) => {
    h = harness();
    const { priceOffset, ...rest } = fields as Record<string, unknown> & { priceOffset?: number };
    const price = priceOffset === undefined ? rest.price : limitPrice(h.sim, 'BTCIRT', priceOffset);
    const { statusCode, body } = await add({
      ...rest,
      ...(price === undefined ? {} : { price }),
      clientOrderId: 'x',
    });
    expect(statusCode).toBe(200);
    expect(body).toMatchObject({ status: 'failed', code, clientOrderId: 'x' });
    expect(typeof body.message).toBe('string');
    expect(h.sim.groundTruthOrders()).toEqual([]);
  });

  it('rejects with SmallOrder under 11 USDT on USDT markets', async () => {
    h = harness();
    const { body } = await add({ execution: 'market', dstCurrency: 'usdt', amount: '0.0001' });
    expect(body.code).toBe('SmallOrder');
  });

  it('rejects with OverValueOrder when the balance, counting blocked funds, is short', async () => {
    h = harness({ accounts: [{ token: TOKEN, balances: { rls: '2000000000', btc: '0.01' } }] });
    const price = limitPrice(h.sim, 'BTCIRT', -0.05);
    expect((await add({ amount: '0.015', price })).body.status).toBe('ok');
    expect((await add({ amount: '0.01', price, pro: 'yes' })).body.code).toBe('OverValueOrder');
    expect(
      (await add({ type: 'sell', amount: '0.02', price: limitPrice(h.sim, 'BTCIRT', 0.05) })).body.code,
    ).toBe('OverValueOrder');
  });

  it('rejects with MarketClosed while a market is closed through chaos', async () => {
    h = harness();
    h.sim.chaos.setMarketClosed('BTCIRT', true);
    expect((await add({ execution: 'market', amount: '0.01' })).body.code).toBe('MarketClosed');
    const stats = await call(h.sim, 'GET', '/market/stats?srcCurrency=btc&dstCurrency=rls', undefined, null);
    expect((stats.body.stats as Record<string, { isClosed: boolean }>)['btc-rls']!.isClosed).toBe(true);
    h.sim.chaos.setMarketClosed('BTCIRT', false);
    expect((await add({ execution: 'market', amount: '0.01' })).body.status).toBe('ok');
  });

  it('rejects an identical order within 10 s with DuplicateOrder unless pro is yes or true', async () => {
    h = harness();
    const fields = { amount: '0.01', price: limitPrice(h.sim, 'BTCIRT', -0.05) };
    expect((await add(fields)).body.status).toBe('ok');
    expect((await add(fields)).body.code).toBe('DuplicateOrder');
    expect((await add({ ...fields, pro: 'yes' })).body.status).toBe('ok');
    expect((await add({ ...fields, pro: 'true' })).body.status).toBe('ok');
    expect((await add(fields, OTHER_TOKEN)).statusCode).toBe(401);
    await h.clock.advance(10_000);
    expect((await add(fields)).body.status).toBe('ok');
  });

  it('rejects DuplicateClientOrderId among open orders only', async () => {
    h = harness();
    const price = limitPrice(h.sim, 'BTCIRT', -0.05);
    expect((await add({ amount: '0.01', price, clientOrderId: 'same' })).body.status).toBe('ok');
    const dup = await add({ amount: '0.02', price, clientOrderId: 'same' });
    expect(dup.body).toMatchObject({
      status: 'failed',
      code: 'DuplicateClientOrderId',
      clientOrderId: 'same',
    });
    await call(h.sim, 'POST', '/market/orders/update-status', { clientOrderId: 'same', status: 'canceled' });
    expect((await add({ amount: '0.02', price, clientOrderId: 'same' })).body.status).toBe('ok');
  });

  it('refuses a clientOrderId longer than 32 characters', async () => {
    h = harness();
    const { statusCode } = await add({
      amount: '0.01',
      price: limitPrice(h.sim, 'BTCIRT', -0.05),
      clientOrderId: 'x'.repeat(33),
    });
    expect(statusCode).toBe(400);
  });
});

describe('order status, list, update-status, cancel-old', () => {
  it('finds an order by id (POST and GET) and by clientOrderId only while it is open', async () => {
    h = harness();
    const placed = await add({
      amount: '0.01',
      price: limitPrice(h.sim, 'BTCIRT', -0.05),
      clientOrderId: 'look',
    });
    const id = (placed.body.order as { id: number }).id;
    const byId = await call(h.sim, 'POST', '/market/orders/status', { id });
    expect(byId.body.order).toMatchObject({
      id,
      status: 'Active',
      matchedAmount: 0,
      fee: 0,
      isMyOrder: false,
    });
    expect((await call(h.sim, 'GET', `/market/orders/status?id=${id}`)).body.status).toBe('ok');
    expect((await call(h.sim, 'POST', '/market/orders/status', { clientOrderId: 'look' })).body.status).toBe(
      'ok',
    );
    await call(h.sim, 'POST', '/market/orders/update-status', { order: id, status: 'canceled' });
    const gone = await call(h.sim, 'POST', '/market/orders/status', { clientOrderId: 'look' });
    expect(gone.statusCode).toBe(404);
    expect((await call(h.sim, 'POST', '/market/orders/status', { id })).body.order).toMatchObject({
      status: 'Canceled',
    });
  });

  it('answers 404 with the DRF detail for an unknown id, and NullIdAndClientOrderId without either', async () => {
    h = harness();
    const missing = await call(h.sim, 'POST', '/market/orders/status', { id: 999 });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toEqual({ detail: 'No Order matches the given query.' });
    const none = await call(h.sim, 'POST', '/market/orders/status', {});
    expect(none.statusCode).toBe(200);
    expect(none.body).toMatchObject({ status: 'failed', code: 'NullIdAndClientOrderId' });
    const noneUpdate = await call(h.sim, 'POST', '/market/orders/update-status', { status: 'canceled' });
    expect(noneUpdate.body.code).toBe('NullIdAndClientOrderId');
    expect(
      (await call(h.sim, 'POST', '/market/orders/update-status', { order: 999, status: 'canceled' }))
        .statusCode,
    ).toBe(404);
  });

  it('cancels an active order and refuses to change a finished one with failed + updatedStatus + order', async () => {
    h = harness();
    const placed = await add({ amount: '0.01', price: limitPrice(h.sim, 'BTCIRT', -0.05) });
    const id = (placed.body.order as { id: number }).id;
    const cancel = await call(h.sim, 'POST', '/market/orders/update-status', {
      order: id,
      status: 'canceled',
    });
    expect(cancel.body).toMatchObject({
      status: 'ok',
      updatedStatus: 'Canceled',
      order: { id, status: 'Canceled' },
    });
    const again = await call(h.sim, 'POST', '/market/orders/update-status', {
      order: id,
      status: 'canceled',
    });
    expect(again.body).toMatchObject({ status: 'failed', updatedStatus: 'Canceled', order: { id } });
    const done = await add({ execution: 'market', amount: '0.001' });
    const doneId = (done.body.order as { id: number; status: string }).id;
    expect((done.body.order as { status: string }).status).toBe('Done');
    const late = await call(h.sim, 'POST', '/market/orders/update-status', {
      order: doneId,
      status: 'canceled',
    });
    expect(late.body).toMatchObject({
      status: 'failed',
      updatedStatus: 'Done',
      order: { id: doneId, status: 'Done' },
    });
  });

  it('lists open orders without id unless details=2, and filters by status', async () => {
    h = harness();
    const low = limitPrice(h.sim, 'BTCIRT', -0.05);
    const lower = limitPrice(h.sim, 'BTCIRT', -0.06);
    await add({ amount: '0.01', price: low });
    await add({ amount: '0.01', price: lower });
    await add({ execution: 'market', amount: '0.001' });
    const details1 = await call(h.sim, 'GET', '/market/orders/list');
    const orders1 = details1.body.orders as Record<string, unknown>[];
    expect(orders1).toHaveLength(2);
    expect(orders1[0]).not.toHaveProperty('id');
    expect(orders1[0]).not.toHaveProperty('status');
    expect(details1.body.hasNext).toBe(false);
    const details2 = await call(h.sim, 'GET', '/market/orders/list?details=2&type=buy&status=all');
    const orders2 = details2.body.orders as { id: number; status: string; price: string }[];
    expect(orders2).toHaveLength(3);
    expect(orders2.map((o) => o.status).sort()).toEqual(['Active', 'Active', 'Done']);
    const close = await call(h.sim, 'GET', '/market/orders/list?details=2&status=close');
    expect((close.body.orders as unknown[]).length).toBe(1);
    const paged = await call(h.sim, 'GET', '/market/orders/list?details=2&status=all&pageSize=2&order=id');
    expect(paged.body.hasNext).toBe(true);
    expect((paged.body.orders as { id: number }[]).map((o) => o.id)).toEqual([100001, 100002]);
  });

  it('cancel-old cancels matching active orders only', async () => {
    h = harness();
    await add({ amount: '0.01', price: limitPrice(h.sim, 'BTCIRT', -0.05) });
    await add({ amount: '0.1', srcCurrency: 'eth', price: limitPrice(h.sim, 'ETHIRT', -0.05) });
    const response = await call(h.sim, 'POST', '/market/orders/cancel-old', {
      srcCurrency: 'eth',
      dstCurrency: 'rls',
    });
    expect(response.body).toEqual({ status: 'ok' });
    expect(h.sim.groundTruthOrders().map((o) => [o.symbol, o.status])).toEqual([
      ['BTCIRT', 'Active'],
      ['ETHIRT', 'Canceled'],
    ]);
    await h.clock.advance(3 * 3_600_000);
    await call(h.sim, 'POST', '/market/orders/cancel-old', { hours: 1 });
    expect(h.sim.groundTruthOrders()[0]!.status).toBe('Active');
    await call(h.sim, 'POST', '/market/orders/cancel-old', {});
    expect(h.sim.groundTruthOrders()[0]!.status).toBe('Canceled');
  });
});
