// Goal: the ledger posts balanced, idempotent, immutable posting sets for fills, blocks, releases and
// transfers, and its queries (balances, history by time, trial balance) agree with the entries.
// Method: a real SQLite database in memory, a FakeClock for posting times, exact decimal expectations.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import { Decimal } from '../core/decimal.js';
import { SqliteDatabase } from '../storage/sqlite-database.js';
import { isIdempotencyConflictError, isInvalidPostingError } from './errors.js';
import { Ledger } from './ledger.js';
import type { FillInput } from './posting-builders.js';

const d = (text: string) => new Decimal(text);
const btcRls = { base: 'btc', quote: 'rls' };
const usdtRls = { base: 'usdt', quote: 'rls' };

function buyFill(overrides: Partial<FillInput> = {}): FillInput {
  return {
    tradeId: 't1',
    orderId: 'o1',
    signalId: 's1',
    market: btcRls,
    side: 'buy',
    amount: '0.0002',
    price: '9000000000',
    total: '1800000',
    fee: '0.00000031',
    feeCurrency: 'btc',
    atMs: 1,
    ...overrides,
  };
}

describe('Ledger', () => {
  let db: SqliteDatabase;
  let clock: FakeClock;
  afterEach(async () => db.close());

  async function open(): Promise<Ledger> {
    db = new SqliteDatabase({ path: ':memory:' });
    clock = new FakeClock();
    const ledger = await Ledger.open({ database: db, clock });
    await ledger.postExternal({ key: 'deposit:rls', asset: 'rls', amount: '10000000', memo: 'deposit' });
    await ledger.postExternal({ key: 'deposit:usdt', asset: 'usdt', amount: '100', memo: 'deposit' });
    return ledger;
  }

  function expectBalanced(ledger: Ledger): void {
    for (const asset of ledger.assets()) expect(ledger.isBalanced(asset)).toBe(true);
    for (const row of ledger.trialBalance()) expect(row.debits.eq(row.credits)).toBe(true);
  }

  it('posts a buy fill against blocked quote with the fee taken in the received base', async () => {
    const ledger = await open();
    await ledger.postOrderBlocked({ orderId: 'o1', asset: 'rls', amount: '1800000' });
    expect(ledger.balances('rls').blocked.eq(d('1800000'))).toBe(true);
    const { posting, created } = await ledger.postFill(buyFill());
    expect(created).toBe(true);
    expect(posting.idempotencyKey).toBe('trade:t1');
    expect(posting.metadata).toMatchObject({ orderId: 'o1', tradeId: 't1', signalId: 's1' });
    expect(ledger.balances('rls')).toMatchObject({
      available: d('8200000'),
      blocked: d('0'),
      total: d('8200000'),
    });
    expect(ledger.balances('btc').available.eq(d('0.00019969'))).toBe(true);
    expect((await ledger.balance('fees:btc')).eq(d('0.00000031'))).toBe(true);
    expect((await ledger.balance('trading:btc')).eq(d('0.0002'))).toBe(true);
    expect((await ledger.balance('trading:rls')).eq(d('-1800000'))).toBe(true);
    expect(ledger.blockedForOrder('o1', 'rls').isZero()).toBe(true);
    expectBalanced(ledger);
  });

  it('posts a sell fill from available base with the fee taken in the received quote', async () => {
    const ledger = await open();
    const sell = { market: usdtRls, side: 'sell' as const, amount: '57.3605', price: '316800' };
    await ledger.postFill(
      buyFill({ ...sell, tradeId: '123412', total: '18171806.4', fee: '27257.7096', feeCurrency: 'rls' }),
    );
    expect(ledger.balances('usdt').available.eq(d('42.6395'))).toBe(true);
    expect(ledger.balances('rls').available.eq(d('28144548.6904'))).toBe(true); // 10,000,000 + total − fee
    expect((await ledger.balance('fees:rls')).eq(d('27257.7096'))).toBe(true);
    expectBalanced(ledger);
  });

  it('takes a fee charged in the spent currency from the spent wallet, on either side', async () => {
    const ledger = await open();
    await ledger.postFill(buyFill({ fee: '270', feeCurrency: 'rls' }));
    expect(ledger.balances('rls').available.eq(d('8199730'))).toBe(true);
    expect(ledger.balances('btc').available.eq(d('0.0002'))).toBe(true);
    await ledger.postFill(
      buyFill({ tradeId: 't2', side: 'sell', amount: '0.0001', total: '900000', fee: '0.0000001' }),
    );
    expect(ledger.balances('btc').available.eq(d('0.0000999'))).toBe(true);
    expect((await ledger.balance('fees:btc')).eq(d('0.0000001'))).toBe(true);
    expectBalanced(ledger);
  });

  it('splits a spend larger than the block between blocked and available', async () => {
    const ledger = await open();
    await ledger.postOrderBlocked({ orderId: 'o1', asset: 'rls', amount: '1000000' });
    await ledger.postFill(buyFill());
    expect(ledger.balances('rls')).toMatchObject({ available: d('8200000'), blocked: d('0') });
  });

  it('releases the remainder of a block and refuses to release more than the order blocks', async () => {
    const ledger = await open();
    await ledger.postOrderBlocked({ orderId: 'o1', asset: 'rls', amount: '2000000' });
    await ledger.postFill(buyFill());
    expect(ledger.blockedForOrder('o1', 'rls').eq(d('200000'))).toBe(true);
    await expect(
      ledger.postOrderReleased({ orderId: 'o1', seq: 1, asset: 'rls', amount: '200001' }),
    ).rejects.toSatisfy(isInvalidPostingError);
    const release = await ledger.postOrderReleased({ orderId: 'o1', seq: 1, asset: 'rls', amount: '200000' });
    expect(release.posting.idempotencyKey).toBe('release:o1:1');
    expect(ledger.balances('rls')).toMatchObject({ available: d('8200000'), blocked: d('0') });
    // A retried release returns the stored posting even though nothing is blocked any more.
    const again = await ledger.postOrderReleased({ orderId: 'o1', seq: 1, asset: 'rls', amount: '200000' });
    expect(again).toEqual({ posting: release.posting, created: false });
    expect((await ledger.postingsByOrder('o1')).map((p) => p.kind)).toEqual([
      'orderBlocked',
      'fill',
      'orderReleased',
    ]);
  });

  it('posts each trade id exactly once and returns the stored posting on a retry', async () => {
    const ledger = await open();
    const first = await ledger.postFill(buyFill());
    const retry = await ledger.postFill(buyFill({ amount: '5', total: '9' })); // a replay with other numbers
    expect(retry.created).toBe(false);
    expect(retry.posting).toEqual(first.posting);
    expect(ledger.balances('btc').available.eq(d('0.00019969'))).toBe(true);
    expect((await ledger.postingByTrade('t1'))?.seq).toBe(first.posting.seq);
    expect(await ledger.postingByTrade('nope')).toBeUndefined();
  });

  it('refuses a key reused by an operation of another kind', async () => {
    const ledger = await open();
    await ledger.postFill(buyFill());
    const draft = {
      idempotencyKey: 'trade:t1',
      kind: 'external' as const,
      memo: '',
      metadata: {},
      entries: [
        { account: 'wallet:btc:available', amountMinor: 1n },
        { account: 'external:btc', amountMinor: -1n },
      ],
    };
    await expect(ledger.post(draft)).rejects.toSatisfy(isIdempotencyConflictError);
  });

  it('rejects unbalanced, unknown-account and over-precise postings and writes nothing', async () => {
    const ledger = await open();
    const base = { idempotencyKey: 'x', kind: 'adjustment' as const, memo: '', metadata: {} };
    const unbalanced = [
      { account: 'wallet:btc:available', amountMinor: 2n },
      { account: 'adjustment:btc', amountMinor: -1n },
    ];
    await expect(ledger.post({ ...base, entries: unbalanced })).rejects.toThrow(/unbalanced in btc/);
    const unknown = [
      { account: 'wallet:btc:savings', amountMinor: 1n },
      { account: 'adjustment:btc', amountMinor: -1n },
    ];
    await expect(ledger.post({ ...base, entries: unknown })).rejects.toThrow(/unknown account/);
    await expect(ledger.postFill(buyFill({ amount: '0.00000000001' }))).rejects.toSatisfy(
      isInvalidPostingError,
    );
    await expect(ledger.postFill(buyFill({ feeCurrency: 'eth' }))).rejects.toThrow(/fee currency/);
    const fillByHand = { ...base, kind: 'fill' as const, entries: unbalanced.slice(0, 1) };
    await expect(ledger.post(fillByHand)).rejects.toThrow(/postFill/);
    expect(ledger.lastSeq).toBe(2);
    expect(await db.query('SELECT seq FROM ledger_postings')).toHaveLength(2);
  });

  it('keeps postings immutable: this module never updates or deletes', () => {
    const folder = dirname(fileURLToPath(import.meta.url));
    const sources = readdirSync(folder).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
    expect(sources.length).toBeGreaterThan(5);
    for (const name of sources)
      expect(readFileSync(join(folder, name), 'utf8')).not.toMatch(/\b(UPDATE|DELETE)\s/);
  });

  it('answers history and past balances by posting time', async () => {
    const ledger = await open(); // deposits at t0
    const t0 = clock.nowMs();
    await clock.advance(1_000);
    await ledger.postOrderBlocked({ orderId: 'o1', asset: 'rls', amount: '1800000' });
    await clock.advance(1_000);
    await ledger.postFill(buyFill());
    await clock.advance(1_000);
    await ledger.postExternal({ key: 'withdraw:1', asset: 'rls', amount: '-1000', memo: 'withdrawal' });
    const middle = await ledger.history('wallet:rls:available', { fromMs: t0 + 500, toMs: t0 + 2_500 });
    expect(middle.map((row) => [row.kind, row.change.toFixed()])).toEqual([['orderBlocked', '-1800000']]);
    const all = await ledger.history('wallet:rls:available');
    expect(all.map((row) => row.change.toFixed())).toEqual(['10000000', '-1800000', '-1000']);
    expect(await ledger.history('wallet:rls:available', { limit: 1 })).toHaveLength(1);
    expect((await ledger.history('trading:rls')).map((row) => row.change.toFixed())).toEqual(['-1800000']);
    expect((await ledger.balance('wallet:rls:available', { atMs: t0 + 1_500 })).eq(d('8200000'))).toBe(true);
    expect((await ledger.balance('wallet:rls:blocked', { atMs: t0 + 1_500 })).eq(d('1800000'))).toBe(true);
    expect((await ledger.balance('wallet:rls:available', { atMs: t0 - 1 })).isZero()).toBe(true);
  });

  it('lists a trial balance whose debits equal credits per asset', async () => {
    const ledger = await open();
    await ledger.postFill(buyFill());
    const rls = ledger.trialBalance().find((row) => row.asset === 'rls');
    expect(rls?.debits.eq(d('10000000'))).toBe(true); // wallet 8.2M + trading 1.8M on the debit side
    expect(rls?.credits.eq(d('10000000'))).toBe(true); // external 10M
    expect(rls?.accounts.map((row) => [row.account, row.side])).toEqual([
      ['external:rls', 'credit'],
      ['trading:rls', 'debit'],
      ['wallet:rls:available', 'debit'],
    ]);
    expect(ledger.trialBalance().every((row) => row.balanced)).toBe(true);
  });

  it('rebuilds the same state when reopened on the same database', async () => {
    const ledger = await open();
    await ledger.postOrderBlocked({ orderId: 'o1', asset: 'rls', amount: '2000000' });
    await ledger.postFill(buyFill());
    const reopened = await Ledger.open({ database: db, clock });
    expect(reopened.accountSumsMinor()).toEqual(ledger.accountSumsMinor());
    expect(reopened.blockedForOrder('o1', 'rls').eq(d('200000'))).toBe(true);
    expect(reopened.positions()).toEqual(ledger.positions());
    await expect(ledger.verifyAgainstStore()).resolves.toBeUndefined();
  });
});
