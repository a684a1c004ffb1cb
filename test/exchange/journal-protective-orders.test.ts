// Goal (issue 14): protective orders are journaled under their entry's signal (so a strategy's orders
// stay together), the entry stays unique per signal, and rows from before journal-006 keep working.
// Method: the real journal on both storage backends, a fake clock; the pre-migration row is written by
// the migrations that existed before journal-006.
import { expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { Decimal } from '../../src/core/decimal.js';
import { journalMigrations } from '../../src/exchange/order-journal/journal-migrations.js';
import { clientOrderIdFor } from '../../src/exchange/order-journal/order-intent.js';
import { OrderJournal, type PrepareInput } from '../../src/exchange/order-journal/order-journal.js';
import { describeEachBackend } from '../support/databases.js';

const entry: PrepareInput = {
  id: 'ord-s1',
  signalId: 's1',
  clientOrderId: clientOrderIdFor('s1'),
  market: { base: 'btc', quote: 'rls' },
  side: 'buy',
  execution: 'market',
  amount: new Decimal('0.01'),
  price: null,
  cause: 'signal',
  protection: { stopLoss: { percent: '2' }, takeProfit: { price: '7500000000' } },
};

const { protection: _entryProtection, ...entryFields } = entry;
const oco: PrepareInput = {
  ...entryFields,
  id: 'ord-s1:p:0.01',
  clientOrderId: clientOrderIdFor('s1/protect/0.01'),
  side: 'sell',
  execution: 'limit',
  price: new Decimal('7500000000'),
  role: 'oco',
  parentOrderId: 'ord-s1',
  stopPrice: new Decimal('6800000000'),
  stopLimitPrice: new Decimal('6732000000'),
};

describeEachBackend('order journal protective orders', (makeDb) => {
  it('keeps protective orders under the entry signal, with their stop prices, while the entry stays the signal order', async () => {
    const db = await makeDb();
    await db.migrate(OrderJournal.migrations);
    const journal = new OrderJournal({ db, clock: new FakeClock() });
    const ocoInput = oco;
    await journal.prepare(entry);
    const placed = await journal.prepare(ocoInput);
    expect(placed.created).toBe(true);
    expect((await journal.prepare(ocoInput)).created).toBe(false);
    expect((await journal.getBySignal('s1'))?.id).toBe('ord-s1');
    expect((await journal.getBySignal('s1'))?.protection).toEqual(entry.protection);
    const [row] = await journal.protectiveOrders('ord-s1');
    expect(row).toMatchObject({ role: 'oco', parentOrderId: 'ord-s1', signalId: 's1' });
    expect(row?.stopPrice?.toFixed()).toBe('6800000000');
    expect(row?.stopLimitPrice?.toFixed()).toBe('6732000000');
    // A second entry for the same signal is still the first one.
    const again = await journal.prepare({ ...entry, id: 'ord-other' });
    expect(again).toMatchObject({ created: false, intent: { id: 'ord-s1' } });
  });

  it('reads an order journaled before journal-006 as an entry without protection', async () => {
    const db = await makeDb();
    await db.migrate(journalMigrations.filter((migration) => migration.id < 'journal-006'));
    await db.execute(
      `INSERT INTO orders (id, signal_id, client_order_id, base, quote, side, execution, amount, price, state,
         filled_amount, fee, submit_count, created_at_ms, updated_at_ms, lifetime_ms)
       VALUES ('o-old', 'old', 'kold', 'btc', 'rls', 'sell', 'limit', '0.001', '7000000000', 'ACCEPTED',
         '0', '0', 1, 1, 1, 60000)`,
    );
    await db.migrate(OrderJournal.migrations);
    const journal = new OrderJournal({ db, clock: new FakeClock() });
    const old = await journal.getBySignal('old');
    expect(old).toMatchObject({
      id: 'o-old',
      role: 'entry',
      protection: null,
      stopPrice: null,
      lifetimeMs: 60000,
    });
    expect(old?.price?.toFixed()).toBe('7000000000');
  });
});
