// Goal: a cancel's outcome is what the exchange shows afterwards, never the cancel's own answer: a
// lost answer still ends "cancelled" when the order reads back cancelled, a fill that won the race
// reads "filled", an order that stays open is "unconfirmed"; each step lands in the audit trail.
// Method: a real journal on in-memory SQLite, a scripted gateway, a fake clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { Decimal } from '../../core/decimal.js';
import { SqliteDatabase } from '../../storage/sqlite-database.js';
import { clientOrderIdFor } from '../order-journal/order-intent.js';
import { OrderJournal } from '../order-journal/order-journal.js';
import type { ExchangeOrder, ExchangeOrderStatus } from './gateway.js';
import { OrderCanceller } from './order-canceller.js';

const exchangeOrder = (status: ExchangeOrderStatus): ExchangeOrder => ({
  id: '77',
  clientOrderId: clientOrderIdFor('s1'),
  status,
  market: { base: 'btc', quote: 'rls' },
  side: 'buy',
  amount: new Decimal('0.001'),
  matchedAmount: new Decimal(0),
  averagePrice: new Decimal(0),
  fee: new Decimal(0),
  createdAtMs: 0,
});

describe('OrderCanceller', () => {
  let db: SqliteDatabase;
  let clock: FakeClock;
  let journal: OrderJournal;
  const reads: ExchangeOrderStatus[] = [];
  let cancelFails = false;
  const gateway = {
    cancelOrder: async () => {
      if (cancelFails) throw new Error('socket hang up');
      return exchangeOrder('Active');
    },
    getOrderById: async () => exchangeOrder(reads.shift() ?? 'Active'),
    getOpenOrderByClientOrderId: async () => null,
  };

  beforeEach(async () => {
    db = new SqliteDatabase({ path: ':memory:' });
    await db.migrate(OrderJournal.migrations);
    clock = new FakeClock();
    journal = new OrderJournal({ db, clock });
    reads.length = 0;
    cancelFails = false;
    await journal.prepare({
      id: 'o1',
      signalId: 's1',
      clientOrderId: clientOrderIdFor('s1'),
      market: { base: 'btc', quote: 'rls' },
      side: 'buy',
      execution: 'limit',
      amount: new Decimal('0.001'),
      price: new Decimal('7000000000'),
      cause: 'signal',
    });
    await journal.transition('o1', 'SUBMITTING', { cause: 'send' });
    await journal.transition('o1', 'ACCEPTED', { cause: 'accepted', patch: { exchangeOrderId: '77' } });
  });
  afterEach(async () => db.close());

  const cancel = async (canceller: OrderCanceller) => {
    let settled = false;
    const pending = canceller.cancel('o1', 'operator local').finally(() => {
      settled = true;
    });
    // The waits between status reads run on the fake clock: move it on until the cancel has an outcome.
    for (let stepCount = 0; !settled && stepCount < 100; stepCount++) await clock.advance(500);
    return pending;
  };

  it('confirms a cancel whose answer was lost by reading the order back', async () => {
    cancelFails = true;
    reads.push('Active', 'Canceled');
    const outcome = await cancel(new OrderCanceller({ gateway, journal, clock }));
    expect(outcome).toEqual({ orderId: 'o1', result: 'cancelled', exchangeStatus: 'Canceled' });
    const causes = (await journal.audit({ orderId: 'o1' })).map((event) => event.cause);
    expect(causes).toContain('cancel asked by operator local');
    expect(causes).toContain('cancel cancelled (exchange status Canceled)');
  });

  it('says filled when the order filled before the cancel took effect', async () => {
    reads.push('Done');
    expect((await cancel(new OrderCanceller({ gateway, journal, clock })))?.result).toBe('filled');
  });

  it('reports unconfirmed when the order stays open through every read', async () => {
    const outcome = await cancel(new OrderCanceller({ gateway, journal, clock, confirmAttemptsMax: 3 }));
    expect(outcome).toEqual({ orderId: 'o1', result: 'unconfirmed', exchangeStatus: 'Active' });
  });

  it('leaves an ended order alone and knows no unknown order', async () => {
    await journal.transition('o1', 'CANCELLED', { cause: 'done' });
    const canceller = new OrderCanceller({ gateway, journal, clock });
    expect((await cancel(canceller))?.result).toBe('ended');
    expect(await canceller.cancel('nope', 'x')).toBeUndefined();
  });

  it('refuses out-of-range options', () => {
    expect(() => new OrderCanceller({ gateway, journal, confirmAttemptsMax: 0 })).toThrow(/was 0/);
    expect(() => new OrderCanceller({ gateway, journal, confirmDelayMs: 1.5 })).toThrow(/was 1.5/);
  });
});
