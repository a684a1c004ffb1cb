// Goal (issue 18): the journal keeps each order's decision-time quote as exact decimal text, and orders
// journaled before the column existed read back without one. Method: the real journal on both storage
// backends (test/support/databases.ts), a fake clock; the pre-migration row is written by the
// migrations that existed before journal-005.
import { expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { Decimal } from '../../src/core/decimal.js';
import { journalMigrations } from '../../src/exchange/order-journal/journal-migrations.js';
import { clientOrderIdFor } from '../../src/exchange/order-journal/order-intent.js';
import { OrderJournal, type PrepareInput } from '../../src/exchange/order-journal/order-journal.js';
import { describeEachBackend } from '../support/databases.js';

const input = (signalId: string, decisionPrice?: string): PrepareInput => ({
  id: `o-${signalId}`,
  signalId,
  clientOrderId: clientOrderIdFor(signalId),
  market: { base: 'btc', quote: 'rls' },
  side: 'buy',
  execution: 'market',
  amount: new Decimal('0.001'),
  price: null,
  cause: 'signal',
  ...(decisionPrice === undefined ? {} : { decisionPrice: new Decimal(decisionPrice) }),
});

describeEachBackend('order journal decision price', (makeDb) => {
  it('round-trips the decision quote digit for digit, and null when absent', async () => {
    const db = await makeDb();
    await db.migrate(OrderJournal.migrations);
    const journal = new OrderJournal({ db, clock: new FakeClock() });
    const quote = '7012345678.123456789012345678';
    const { intent } = await journal.prepare(input('s1', quote));
    expect(intent.decisionPrice?.toFixed()).toBe(quote);
    expect((await journal.get('o-s1'))?.decisionPrice?.toFixed()).toBe(quote);
    const [row] = await db.query('SELECT decision_price FROM orders WHERE id = ?', ['o-s1']);
    expect(row?.['decision_price']).toBe(quote); // text, never a float
    await journal.prepare(input('s2'));
    expect((await journal.get('o-s2'))?.decisionPrice).toBeNull();
  });

  it('reads an order journaled before the migration as having no decision quote', async () => {
    const db = await makeDb();
    const before = journalMigrations.filter((migration) => migration.id < 'journal-005');
    expect(before.map((migration) => migration.id)).toHaveLength(4);
    await db.migrate(before);
    await db.execute(
      `INSERT INTO orders (id, signal_id, client_order_id, base, quote, side, execution, amount, price, state,
         filled_amount, fee, submit_count, created_at_ms, updated_at_ms)
       VALUES ('o-old', 'old', 'kold', 'btc', 'rls', 'sell', 'limit', '0.001', '7000000000', 'ACCEPTED',
         '0', '0', 1, 1, 1)`,
    );
    await db.migrate(OrderJournal.migrations);
    const journal = new OrderJournal({ db, clock: new FakeClock() });
    const old = await journal.get('o-old');
    expect(old?.decisionPrice).toBeNull();
    expect(old?.price?.toFixed()).toBe('7000000000');
  });
});
