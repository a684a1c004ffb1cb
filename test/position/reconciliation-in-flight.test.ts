// Goal (issue 12, mode 4): the Reconciler catches the ledger up on live orders' trades before it
// compares, compares only a snapshot the catch-up did not move, and leaves a difference in a currency
// that an order still in flight may move as `skipped` (never corrected, never a breach).
// Method: a real ledger on SQLite :memory:, scripted fetchWallets and catchUp, FakeClock.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { Decimal } from '../../src/core/decimal.js';
import { Ledger } from '../../src/position/ledger.js';
import { Reconciler } from '../../src/position/reconciliation.js';
import type { ExchangeWallet } from '../../src/position/reconciliation-compare.js';
import type { InFlight } from '../../src/position/reconciliation-options.js';
import { SqliteDatabase } from '../../src/storage/sqlite-database.js';

const wallet = (balance: string): ExchangeWallet => ({
  balance: new Decimal(balance),
  blocked: new Decimal(0),
});

describe('Reconciler catch-up', () => {
  let db: SqliteDatabase;
  afterEach(async () => db.close());

  async function setup(catchUp: (ledger: Ledger) => Promise<InFlight>) {
    db = new SqliteDatabase({ path: ':memory:' });
    const clock = new FakeClock();
    const ledger = await Ledger.open({ database: db, clock });
    await ledger.postExternal({ key: 'deposit:rls', asset: 'rls', amount: '1000', memo: 'deposit' });
    const exchange = new Map([['RLS', wallet('1000')]]);
    const reconciler = await Reconciler.create({
      ledger,
      database: db,
      clock,
      fetchWallets: async () => exchange,
      tolerances: { rls: '10' },
      catchUp: () => catchUp(ledger),
    });
    return { reconciler, exchange, ledger };
  }

  it('posts what the exchange already did before comparing: no breach for a fill in flight', async () => {
    let pending = true;
    const { reconciler, exchange } = await setup(async (ledger) => {
      // A fill the exchange booked but the verifier has not posted yet.
      if (!pending) return { assets: new Set(), reasons: [] };
      pending = false;
      await ledger.postExternal({ key: 'fill-like:1', asset: 'rls', amount: '-500', memo: 'spent' });
      return { assets: new Set(), reasons: [] };
    });
    exchange.set('RLS', wallet('500'));
    const result = await reconciler.runOnce();
    expect(result.status).toBe('ok');
    expect(result.rows.map((row) => row.action)).toEqual(['match']);
  });

  it('skips a difference in a currency an unresolved order may still move', async () => {
    const { reconciler, exchange } = await setup(async () => ({
      assets: new Set(['rls']),
      reasons: ['order o-7 UNKNOWN: not found on the exchange yet'],
    }));
    exchange.set('RLS', wallet('400'));
    const result = await reconciler.runOnce();
    expect(result.status).toBe('ok');
    expect(result.rows[0]).toMatchObject({ asset: 'rls', action: 'skipped' });
    expect(result.rows[0]?.reason).toContain('o-7');
    expect(await reconciler.hasUnacknowledgedBreach()).toBe(false);
  });

  it('still declares a breach that survives the catch-up', async () => {
    const { reconciler, exchange } = await setup(async () => ({ assets: new Set(), reasons: [] }));
    exchange.set('RLS', wallet('400'));
    expect((await reconciler.runOnce()).status).toBe('breach');
  });
});
