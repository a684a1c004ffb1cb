// Goal: the journal keeps the stop leg an OCO's answer named (its `pairId`) on the OCO's row, so that
// leg counts as Keel's before its own row exists; rows without a pair are unchanged, and the lookup
// uses an index (a year of orders is never scanned). Method: the real journal on both storage
// backends (test/support/databases.ts), a fake clock.
import { expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { Decimal } from '../../src/core/decimal.js';
import { clientOrderIdFor } from '../../src/exchange/order-journal/order-intent.js';
import { OrderJournal, type PrepareInput } from '../../src/exchange/order-journal/order-journal.js';
import { describeEachBackend } from '../support/databases.js';

const oco: PrepareInput = {
  id: 'ord-s1:p:0.01',
  signalId: 's1',
  clientOrderId: clientOrderIdFor('s1/protect/0.01'),
  market: { base: 'btc', quote: 'rls' },
  side: 'sell',
  execution: 'limit',
  amount: new Decimal('0.01'),
  price: new Decimal('7500000000'),
  cause: 'entry filled',
  role: 'oco',
  parentOrderId: 'ord-s1',
  stopPrice: new Decimal('6800000000'),
  stopLimitPrice: new Decimal('6732000000'),
};

describeEachBackend('order journal OCO pair', (makeDb, backend) => {
  it("counts the stop leg an OCO's answer named as Keel's before the leg is journaled, and keeps it", async () => {
    const db = await makeDb();
    await db.migrate(OrderJournal.migrations);
    const journal = new OrderJournal({ db, clock: new FakeClock() });
    await journal.prepare(oco);
    await journal.transition(oco.id, 'SUBMITTING', { cause: 'sending', patch: { submitCount: 1 } });
    expect(await journal.keelExchangeOrderIds(['100009', '100010'])).toEqual(new Set());
    await journal.transition(oco.id, 'ACCEPTED', {
      cause: 'exchange accepted',
      patch: { exchangeOrderId: '100009', pairExchangeOrderId: '100010' },
    });
    expect(await journal.keelExchangeOrderIds(['100009', '100010', '555'])).toEqual(
      new Set(['100009', '100010']),
    );
    // Only a journaled row counts as one (fill catch-up asks whether the stop leg's row exists).
    expect(await journal.knownExchangeOrderIds(['100010'])).toEqual(new Set());
    // Later changes without a pair keep it.
    await journal.annotate(oco.id, { cause: 'status poll', patch: { exchangeOrderId: '100009' } });
    await journal.transition(oco.id, 'CANCELLED', { cause: 'stop leg triggered' });
    expect(await journal.keelExchangeOrderIds(['100010'])).toEqual(new Set(['100010']));
    const [row] = await db.query('SELECT pair_exchange_order_id FROM orders WHERE id = ?', [oco.id]);
    expect(row?.['pair_exchange_order_id']).toBe('100010');
  });

  if (backend === 'sqlite')
    it('finds pairs through their index', async () => {
      const db = await makeDb();
      await db.migrate(OrderJournal.migrations);
      const plan = await db.query(
        'EXPLAIN QUERY PLAN SELECT pair_exchange_order_id AS id FROM orders WHERE pair_exchange_order_id IN (?, ?)',
        ['1', '2'],
      );
      expect(plan.map((step) => String(step['detail'])).join('\n')).toContain(
        'orders_pair_exchange_order_id',
      );
    });
});
