// Goal (issue 12, mode 4): before a reconciliation compares, every trade of every live order is posted
// (once, every page), an open limit order's block is posted, and what cannot be accounted for yet is
// reported in flight instead of being left to look like a discrepancy. It never moves an order's state.
// Method: the in-memory FakeGateway, a SQLite journal, a recording ledger sink.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { Decimal } from '../../src/core/decimal.js';
import { clientOrderIdFor, type OrderFill } from '../../src/exchange/order-journal/order-intent.js';
import { OrderJournal } from '../../src/exchange/order-journal/order-journal.js';
import { FillCatchUp } from '../../src/exchange/transaction-verification/fill-catch-up.js';
import { silentLogger } from '../../src/logging/logger.js';
import { SqliteDatabase } from '../../src/storage/sqlite-database.js';
import { FakeGateway } from '../support/fake-verification-gateway.js';

describe('FillCatchUp', () => {
  let db: SqliteDatabase;
  let journal: OrderJournal;
  let gateway: FakeGateway;
  const fills: OrderFill[] = [];
  const opened: string[] = [];
  let blocked = false;
  let catchUp: FillCatchUp;

  beforeEach(async () => {
    db = new SqliteDatabase({ path: ':memory:' });
    await db.migrate(OrderJournal.migrations);
    journal = new OrderJournal({ db, clock: new FakeClock() });
    gateway = new FakeGateway();
    gateway.pageSize = 3;
    fills.length = 0;
    opened.length = 0;
    blocked = false;
    catchUp = new FillCatchUp({
      journal,
      gateway,
      ledger: {
        onOpen: async (intent) => void opened.push(intent.id),
        onFill: async (_intent, fill) => void fills.push(fill),
      },
      stillBlocked: () => blocked,
      tradePagesMax: 10,
      logger: silentLogger,
    });
  });
  afterEach(async () => db.close());

  async function order(signalId: string, to: 'ACCEPTED' | 'UNKNOWN') {
    const { intent } = await journal.prepare({
      id: `o-${signalId}`,
      signalId,
      clientOrderId: clientOrderIdFor(signalId),
      market: { base: 'btc', quote: 'rls' },
      side: 'buy',
      execution: 'limit',
      amount: new Decimal('0.01'),
      price: new Decimal('7000000000'),
      cause: 'signal',
    });
    await journal.transition(intent.id, 'SUBMITTING', { cause: 'sending' });
    const placed = await gateway.placeOrder({ ...intent });
    if (placed.kind !== 'accepted') throw new Error('the fake exchange did not accept');
    return journal.transition(intent.id, to, {
      cause: 'test',
      patch: to === 'ACCEPTED' ? { exchangeOrderId: placed.order.id } : {},
    });
  }

  it('posts every trade of an order that filled between polls, across pages, and leaves its state alone', async () => {
    const intent = await order('s1', 'ACCEPTED');
    for (let i = 0; i < 10; i++) gateway.fill(intent.exchangeOrderId ?? '', '0.001');
    const result = await catchUp.run();
    expect(result).toEqual({ orderCount: 1, inFlight: [] });
    expect(new Set(fills.map((f) => f.tradeId)).size).toBe(10);
    expect(await journal.fills(intent.id)).toHaveLength(10);
    expect((await journal.get(intent.id))?.state).toBe('ACCEPTED');
  });

  it('blocks the rest of a partly filled open limit order, as the exchange does', async () => {
    const intent = await order('s2', 'ACCEPTED');
    gateway.fill(intent.exchangeOrderId ?? '', '0.004');
    expect((await catchUp.run()).inFlight).toEqual([]);
    expect(opened).toEqual([intent.id]);
  });

  it('reports in flight an UNKNOWN order not found yet, and a finished one whose block is not released', async () => {
    const unknown = await order('s3', 'UNKNOWN');
    gateway.orders.length = 0; // the exchange does not show it (yet)
    const done = await order('s4', 'ACCEPTED');
    gateway.fill(done.exchangeOrderId ?? '', '0.01');
    blocked = true;
    const { inFlight } = await catchUp.run();
    expect(inFlight.map((o) => o.orderId).sort()).toEqual([done.id, unknown.id].sort());
    expect(inFlight.find((o) => o.orderId === unknown.id)?.reason).toContain('not found');
  });

  it('reports in flight an open OCO whose stop leg the journal does not know yet, and not once it does', async () => {
    const { intent } = await journal.prepare({
      id: 'o-e1:p',
      signalId: 'e1',
      clientOrderId: clientOrderIdFor('e1-p'),
      market: { base: 'eth', quote: 'rls' },
      side: 'sell',
      execution: 'limit',
      amount: new Decimal('0.05'),
      price: new Decimal('3600000000'),
      stopPrice: new Decimal('3500000000'),
      stopLimitPrice: new Decimal('3460000000'),
      role: 'oco',
      cause: 'protection',
    });
    await journal.transition(intent.id, 'SUBMITTING', { cause: 'sending' });
    const placed = await gateway.placeOrder({ ...intent });
    if (placed.kind !== 'accepted') throw new Error('the fake exchange did not accept');
    // The exchange answers the pair's placing with its limit leg, whose pairId is the stop leg.
    const index = gateway.orders.findIndex((o) => o.id === placed.order.id);
    gateway.orders[index] = { ...placed.order, pairId: '999' };
    await journal.transition(intent.id, 'ACCEPTED', {
      cause: 'test',
      patch: { exchangeOrderId: placed.order.id },
    });
    const before = await catchUp.run();
    expect(before.inFlight.map((o) => o.orderId)).toEqual([intent.id]);
    expect(before.inFlight[0]?.reason).toContain('stop leg 999 not journaled');
    await journal.prepare({
      id: 'o-e1:p:stop',
      signalId: 'e1',
      clientOrderId: clientOrderIdFor('e1-stop'),
      market: { base: 'eth', quote: 'rls' },
      side: 'sell',
      execution: 'stop_limit',
      amount: new Decimal('0.05'),
      price: new Decimal('3460000000'),
      stopPrice: new Decimal('3500000000'),
      role: 'oco_stop',
      exchangeOrderId: '999',
      cause: 'stop leg',
    });
    expect((await catchUp.run()).inFlight).toEqual([]);
  });
});
