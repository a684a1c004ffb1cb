// Goal: the ledger and the reconciliation audit trail behave the same on SQLite and PostgreSQL:
// postings, idempotency, queries, reopening, two writers on one store, corrections and breaches.
// Method: describeEachBackend runs the suite on a fresh SQLite file and a fresh PostgreSQL schema;
// a second makeDb() is a second process on the same store.
import { expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { Decimal } from '../../src/core/decimal.js';
import { Ledger } from '../../src/position/ledger.js';
import { Reconciler } from '../../src/position/reconciliation.js';
import type { ExchangeWallet } from '../../src/position/reconciliation-compare.js';
import { loadRun } from '../../src/position/reconciliation-store.js';
import { describeEachBackend } from '../support/databases.js';

const d = (text: string) => new Decimal(text);
const fill = (tradeId: string, orderId: string) => ({
  tradeId,
  orderId,
  market: { base: 'btc', quote: 'rls' },
  side: 'buy' as const,
  amount: '0.0002',
  price: '9000000000',
  total: '1800000',
  fee: '0.00000031',
  feeCurrency: 'btc',
  atMs: 1,
});

describeEachBackend('position ledger', (makeDb) => {
  it('posts, replays idempotently, answers queries and reopens to the same state', async () => {
    const clock = new FakeClock();
    const db = await makeDb();
    const ledger = await Ledger.open({ database: db, clock });
    // 1e30 rial × 1e10 minor units is far beyond int64: sums must stay exact in bigint.
    await ledger.postExternal({
      key: 'deposit:rls',
      asset: 'rls',
      amount: '1000000000000000000000000000000',
      memo: '',
    });
    await clock.advance(1_000);
    await ledger.postOrderBlocked({ orderId: 'o1', asset: 'rls', amount: '2000000' });
    await ledger.postFill(fill('t1', 'o1'));
    expect((await ledger.postFill(fill('t1', 'o1'))).created).toBe(false);
    await ledger.postOrderReleased({ orderId: 'o1', seq: 1, asset: 'rls', amount: '200000' });
    expect(ledger.balances('rls').total.eq(d('999999999999999999999998200000'))).toBe(true);
    expect(ledger.trialBalance().every((row) => row.balanced)).toBe(true);
    expect((await ledger.postingsByOrder('o1')).map((p) => p.kind)).toEqual([
      'orderBlocked',
      'fill',
      'orderReleased',
    ]);
    expect((await ledger.postingByTrade('t1'))?.metadata.signalId).toBeUndefined();
    const history = await ledger.history('wallet:rls:available', { fromMs: clock.nowMs() });
    expect(history.map((row) => row.change.toFixed())).toEqual(['-2000000', '200000']);
    expect((await ledger.balance('wallet:rls:available', { atMs: clock.nowMs() - 1 })).eq(d('1e30'))).toBe(
      true,
    );
    const reopened = await Ledger.open({ database: await makeDb(), clock });
    expect(reopened.accountSumsMinor()).toEqual(ledger.accountSumsMinor());
    expect(reopened.positions()).toEqual(ledger.positions());
  });

  it('lets two writers on one store post without losing or duplicating a posting', async () => {
    const first = await Ledger.open({ database: await makeDb() });
    const second = await Ledger.open({ database: await makeDb() });
    await first.postExternal({ key: 'deposit:rls', asset: 'rls', amount: '100000000', memo: '' });
    await Promise.all([
      ...[1, 2, 3, 4].map((n) => first.postFill(fill(`a${n}`, `oa${n}`))),
      ...[1, 2, 3, 4].map((n) => second.postFill(fill(`b${n}`, `ob${n}`))),
    ]);
    expect((await second.postFill(fill('a1', 'oa1'))).created).toBe(false);
    await first.postExternal({ key: 'deposit:2', asset: 'rls', amount: '1', memo: '' }); // catches up on b*
    await second.refresh();
    expect(first.accountSumsMinor()).toEqual(second.accountSumsMinor());
    expect(first.lastSeq).toBe(10);
    expect(first.balances('btc').available.eq(d('0.00159752'))).toBe(true); // 8 × 0.00019969
    for (const asset of first.assets()) expect(first.isBalanced(asset)).toBe(true);
  });

  it('records corrections, breaches and acknowledgements in the audit tables', async () => {
    const clock = new FakeClock();
    const db = await makeDb();
    const ledger = await Ledger.open({ database: db, clock });
    let exchange = new Map<string, ExchangeWallet>([['RLS', { balance: d('1003'), blocked: d('0') }]]);
    await ledger.postExternal({ key: 'deposit:rls', asset: 'rls', amount: '1000', memo: '' });
    const reconciler = await Reconciler.create({
      ledger,
      database: db,
      clock,
      fetchWallets: async () => exchange,
      tolerances: { rls: '5' },
    });
    const corrected = await reconciler.runOnce();
    expect(corrected.status).toBe('corrected');
    expect(await loadRun(db, corrected.runId)).toEqual(corrected);
    exchange = new Map([['RLS', { balance: d('2000'), blocked: d('0') }]]);
    const breach = await reconciler.runOnce();
    expect(breach.status).toBe('breach');
    expect(await reconciler.hasUnacknowledgedBreach()).toBe(true);
    await reconciler.acknowledgeBreach({ runId: breach.runId, by: 'ops' });
    await reconciler.acknowledgeBreach({ runId: breach.runId, by: 'ops' }); // twice is a no-op
    expect(await reconciler.hasUnacknowledgedBreach()).toBe(false);
    expect(ledger.balances('rls').total.eq(d('1003'))).toBe(true);
  });
});
