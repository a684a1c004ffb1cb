// Goal: whatever sequence of fills, blocks, releases and external transfers arrives (retries and
// collisions included), every asset stays balanced, balances equal the sum of the stored entries,
// blocked funds never go negative, and each trade id is posted once.
// Method: fast-check generates operation sequences (seeded), applied to a ledger on SQLite :memory:;
// after each sequence the live state is compared with the raw entries and with a reopened ledger.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDecimal, fromMinorUnits } from '../../src/core/decimal.js';
import { isInvalidPostingError } from '../../src/position/errors.js';
import { Ledger } from '../../src/position/ledger.js';
import { SqliteDatabase } from '../../src/storage/sqlite-database.js';

const MARKETS = [
  { base: 'btc', quote: 'rls' },
  { base: 'usdt', quote: 'rls' },
  { base: 'btc', quote: 'usdt' },
] as const;
const ASSETS = ['rls', 'usdt', 'btc'] as const;
const ORDER_IDS = ['o1', 'o2', 'o3', 'o4'] as const;

/** A positive amount with up to 10 decimals, as a decimal string. */
const amount = fc
  .bigInt({ min: 1n, max: 10n ** 17n })
  .map((minor) => formatDecimal(fromMinorUnits(minor, 10)));
const feeAmount = fc
  .bigInt({ min: 0n, max: 10n ** 12n })
  .map((minor) => formatDecimal(fromMinorUnits(minor, 10)));

const operation = fc.oneof(
  fc.record({
    type: fc.constant('fill' as const),
    market: fc.constantFrom(...MARKETS),
    side: fc.constantFrom('buy' as const, 'sell' as const),
    amount,
    price: amount,
    total: amount,
    fee: feeAmount,
    feeOnBase: fc.boolean(),
    orderId: fc.constantFrom(...ORDER_IDS),
    tradeId: fc.integer({ min: 1, max: 30 }),
  }),
  fc.record({
    type: fc.constant('block' as const),
    orderId: fc.constantFrom(...ORDER_IDS),
    asset: fc.constantFrom(...ASSETS),
    amount,
  }),
  fc.record({
    type: fc.constant('release' as const),
    orderId: fc.constantFrom(...ORDER_IDS),
    seq: fc.integer({ min: 1, max: 3 }),
    asset: fc.constantFrom(...ASSETS),
    amount,
  }),
  fc.record({
    type: fc.constant('external' as const),
    key: fc.integer({ min: 1, max: 10 }),
    asset: fc.constantFrom(...ASSETS),
    amount,
    withdrawal: fc.boolean(),
  }),
);
type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

async function apply(ledger: Ledger, op: Operation, postedTrades: Set<number>): Promise<void> {
  switch (op.type) {
    case 'fill': {
      const { market, side, price, total, fee, orderId } = op;
      const feeCurrency = op.feeOnBase ? market.base : market.quote;
      const tradeId = `t${op.tradeId}`;
      await ledger.postFill({
        tradeId,
        orderId,
        market,
        side,
        amount: op.amount,
        price,
        total,
        fee,
        feeCurrency,
        atMs: 0,
      });
      postedTrades.add(op.tradeId);
      return;
    }
    case 'block':
      await ledger.postOrderBlocked(op);
      return;
    case 'release':
      try {
        await ledger.postOrderReleased(op);
      } catch (error) {
        expect(isInvalidPostingError(error)).toBe(true); // more than the order still blocks
      }
      return;
    case 'external': {
      const signed = op.withdrawal ? `-${op.amount}` : op.amount;
      await ledger.postExternal({ key: `ext:${op.key}`, asset: op.asset, amount: signed, memo: 'transfer' });
      return;
    }
  }
}

async function checkInvariants(db: SqliteDatabase, ledger: Ledger, postedTrades: Set<number>): Promise<void> {
  for (const asset of ledger.assets()) expect(ledger.isBalanced(asset)).toBe(true);
  expect(ledger.trialBalance().every((row) => row.balanced && row.debits.eq(row.credits))).toBe(true);
  const rows = await db.query<{ account: string; amount_minor: string }>(
    'SELECT account, amount_minor FROM ledger_entries',
  );
  const stored = new Map<string, bigint>();
  for (const row of rows) stored.set(row.account, (stored.get(row.account) ?? 0n) + BigInt(row.amount_minor));
  expect(ledger.accountSumsMinor()).toEqual(stored);
  for (const asset of ASSETS) {
    expect(ledger.balances(asset).blocked.isNegative()).toBe(false);
    for (const orderId of ORDER_IDS) expect(ledger.blockedForOrder(orderId, asset).isNegative()).toBe(false);
  }
  const fills = await db.query<{ trade_id: string }>(
    "SELECT trade_id FROM ledger_postings WHERE kind = 'fill'",
  );
  expect(new Set(fills.map((row) => row.trade_id)).size).toBe(fills.length);
  expect(fills.length).toBe(postedTrades.size);
  const reopened = await Ledger.open({ database: db });
  expect(reopened.accountSumsMinor()).toEqual(ledger.accountSumsMinor());
  expect(reopened.positions()).toEqual(ledger.positions());
}

describe('ledger properties', () => {
  it('keeps every asset balanced and balances equal to the entries for any operation sequence', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 40 }), async (operations) => {
        const db = new SqliteDatabase({ path: ':memory:' });
        try {
          const ledger = await Ledger.open({ database: db });
          const postedTrades = new Set<number>();
          for (const op of operations) await apply(ledger, op, postedTrades);
          await checkInvariants(db, ledger, postedTrades);
        } finally {
          await db.close();
        }
      }),
      { numRuns: 60, seed: 20_260_101 },
    );
  });
});
