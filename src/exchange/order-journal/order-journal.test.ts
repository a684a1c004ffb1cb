// Goal: the journal keeps one order per signal, enforces the state table, records each fill once and
// keeps an append-only, secret-free audit trail. Method: SQLite in memory, fake clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { Decimal } from '../../core/decimal.js';
import { SqliteDatabase } from '../../storage/sqlite-database.js';
import { clientOrderIdFor } from './order-intent.js';
import { OrderJournal, type PrepareInput } from './order-journal.js';
import { isIllegalTransitionError } from './order-state.js';

const input = (signalId: string): PrepareInput => ({
  id: `o-${signalId}`,
  signalId,
  clientOrderId: clientOrderIdFor(signalId),
  market: { base: 'btc', quote: 'rls' },
  side: 'buy',
  execution: 'limit',
  amount: new Decimal('0.001'),
  price: new Decimal('7000000000'),
  cause: 'signal',
});

describe('OrderJournal', () => {
  let db: SqliteDatabase;
  let clock: FakeClock;
  let journal: OrderJournal;

  beforeEach(async () => {
    db = new SqliteDatabase({ path: ':memory:' });
    await db.migrate(OrderJournal.migrations);
    clock = new FakeClock();
    journal = new OrderJournal({ db, clock });
  });
  afterEach(async () => db.close());

  it('prepares one order per signal and returns the first on a repeat', async () => {
    const first = await journal.prepare(input('s1'));
    const again = await journal.prepare({ ...input('s1'), id: 'other-id' });
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.intent.id).toBe('o-s1');
    expect(first.intent.state).toBe('PREPARED');
    expect(first.intent.amount.toString()).toBe('0.001');
  });

  it('derives a stable clientOrderId of at most 32 characters', () => {
    expect(clientOrderIdFor('s1')).toBe(clientOrderIdFor('s1'));
    expect(clientOrderIdFor('s1')).not.toBe(clientOrderIdFor('s2'));
    expect(clientOrderIdFor('x'.repeat(500)).length).toBeLessThanOrEqual(32);
  });

  it('moves along legal edges and refuses illegal ones without writing', async () => {
    await journal.prepare(input('s1'));
    await journal.transition('o-s1', 'SUBMITTING', { cause: 'submit', patch: { submitCount: 1 } });
    clock.setNow(clock.nowMs() + 1_000);
    const accepted = await journal.transition('o-s1', 'ACCEPTED', {
      cause: 'exchange accepted',
      raw: { status: 'ok', order: { id: 25 } },
      patch: { exchangeOrderId: '25' },
    });
    expect(accepted.exchangeOrderId).toBe('25');
    await expect(journal.transition('o-s1', 'PREPARED', { cause: 'bad' })).rejects.toSatisfy(
      isIllegalTransitionError,
    );
    expect((await journal.get('o-s1'))?.state).toBe('ACCEPTED');
    const trail = await journal.audit({ orderId: 'o-s1' });
    expect(trail.map((event) => event.toState)).toEqual(['PREPARED', 'SUBMITTING', 'ACCEPTED']);
    expect(trail[2]?.raw).toEqual({ status: 'ok', order: { id: 25 } });
  });

  it('removes secrets from the raw answers it stores', async () => {
    await journal.prepare(input('s1'));
    await journal.transition('o-s1', 'SUBMITTING', {
      cause: 'submit',
      raw: {
        headers: { Authorization: 'Token abcdef0123456789' },
        token: 'abc',
        nested: { privateKey: 'k' },
      },
    });
    const [, submitting] = await journal.audit({ signalId: 's1' });
    expect(JSON.stringify(submitting?.raw)).not.toMatch(/abcdef|"abc"|"k"/);
  });

  it('records each fill once by trade id', async () => {
    const fill = {
      tradeId: 't1',
      orderId: 'o-s1',
      amount: new Decimal('0.0005'),
      price: new Decimal('7000000000'),
      total: new Decimal('3500000'),
      fee: new Decimal('0.00000075'),
      feeCurrency: 'btc',
      atMs: clock.nowMs(),
    };
    expect(await journal.recordFill(fill)).toBe(true);
    expect(await journal.recordFill(fill)).toBe(false);
    expect(await journal.fills('o-s1')).toHaveLength(1);
  });

  it('lists non-terminal orders for resumption and queries the trail by state and time', async () => {
    await journal.prepare(input('s1'));
    await journal.prepare(input('s2'));
    await journal.transition('o-s2', 'REJECTED', {
      cause: 'precondition',
      patch: { rejectCode: 'SmallOrder' },
    });
    expect((await journal.listNonTerminal()).map((order) => order.id)).toEqual(['o-s1']);
    expect((await journal.audit({ state: 'REJECTED' })).map((event) => event.orderId)).toEqual(['o-s2']);
    expect(await journal.audit({ fromMs: clock.nowMs() + 1 })).toEqual([]);
  });

  it('counts orders by state and tells which of the given clientOrderIds it knows', async () => {
    await journal.prepare(input('s1'));
    await journal.prepare(input('s2'));
    await journal.transition('o-s2', 'REJECTED', { cause: 'precondition' });
    expect(await journal.countByState()).toEqual({ PREPARED: 1, REJECTED: 1 });
    expect(
      await journal.knownClientOrderIds([clientOrderIdFor('s1'), clientOrderIdFor('s2'), 'keel-other']),
    ).toEqual(new Set([clientOrderIdFor('s1'), clientOrderIdFor('s2')]));
    expect(await journal.knownClientOrderIds([])).toEqual(new Set());
  });

  it('checks the write fence inside every write transaction', async () => {
    const fenced = new OrderJournal({
      db,
      clock,
      fence: {
        token: 7,
        async check() {
          throw new Error('fenced out');
        },
      },
    });
    await expect(fenced.prepare(input('s9'))).rejects.toThrow('fenced out');
    expect(await journal.getBySignal('s9')).toBeUndefined();
  });
});
