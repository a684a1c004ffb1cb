// Goal: the store commits once per dedup key, runs the hook in the same transaction, walks only the
// edges of its state table and quarantines after attemptsMax. Method: SQLite on a temp file (so a
// reopen shows what is durable), a fake clock and a seeded rng.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import { createRng } from '../core/random.js';
import type { Database } from '../storage/database.js';
import { SqliteDatabase } from '../storage/sqlite-database.js';
import { dedupKey, legacyDedupKey } from './dedup-key.js';
import { isIllegalSignalTransitionError } from './errors.js';
import type { Signal } from './signal.js';
import { createSignalIdSource, SIGNAL_ID_PATTERN } from './signal-id.js';
import { type SignalIntake, SignalStore, type SignalStoreOptions } from './signal-store.js';

const signal = (amount: string): Signal => ({
  symbol: 'BTCIRT',
  base: 'btc',
  quote: 'rls',
  side: 'buy',
  size: { kind: 'base', amount },
  order: { type: 'market' },
  alertAtMs: 1_000,
  alertTimeSource: 'alert',
  receivedAtMs: 1_000,
});
const intake = (amount: string): SignalIntake => ({
  signal: signal(amount),
  dedupKey: dedupKey(signal(amount)),
  raw: `{"amount":"${amount}"}`,
  sourceIp: '52.89.214.238',
});

let folder: string;
let db: SqliteDatabase;
let clock: FakeClock;
const open = async (options: Partial<SignalStoreOptions> = {}) => {
  const store = new SignalStore({ db, clock, rng: createRng(3), ...options });
  await store.migrate();
  return store;
};

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'keel-signals-'));
  db = new SqliteDatabase({ path: join(folder, 'keel.db') });
  clock = new FakeClock();
});
afterEach(async () => {
  await db.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('SignalStore.accept', () => {
  it('commits a signal that survives a reopen, and reports a copy as a duplicate of it', async () => {
    const store = await open();
    const first = await store.accept(intake('1'));
    expect(first.duplicate).toBe(false);
    await db.close();
    db = new SqliteDatabase({ path: join(folder, 'keel.db') });
    const reopened = await open();
    expect(await reopened.accept({ ...intake('1'), raw: 'again' })).toEqual({
      duplicate: true,
      signalId: first.signalId,
    });
    const stored = await reopened.get(first.signalId);
    expect(stored).toMatchObject({
      state: 'received',
      attempts: 0,
      raw: '{"amount":"1"}',
      signal: signal('1'),
    });
  });

  it('draws a new id when a reopened store with the same seed repeats one', async () => {
    const first = await (await open()).accept(intake('1'));
    const second = await (await open()).accept(intake('2'));
    expect(second.duplicate).toBe(false);
    expect(second.signalId).not.toBe(first.signalId);
    expect(await (await open()).list({ limit: 10 })).toHaveLength(2);
  });

  it('runs onAccepted inside the transaction: a throwing hook leaves no row', async () => {
    const seen: string[] = [];
    const store = await open({
      onAccepted: async (tx, batch) => {
        for (const stored of batch) {
          const rows = await tx.query('SELECT id FROM signals WHERE id = ?', [stored.id]);
          seen.push(String(rows[0]?.['id']));
          if (stored.signal.size.kind === 'base' && stored.signal.size.amount === '2')
            throw new Error('bus down');
        }
      },
    });
    const ok = await store.accept(intake('1'));
    await expect(store.accept(intake('2'))).rejects.toThrow('bus down');
    expect(seen[0]).toBe(ok.signalId);
    expect(await store.list({ limit: 10 })).toHaveLength(1);
  });

  it('commits concurrent accepts together, and one failing accept takes no other with it', async () => {
    const batches: number[] = [];
    const store = await open({
      onAccepted: (_tx, batch) => {
        batches.push(batch.length);
        if (batch.some((stored) => stored.signal.size.kind === 'base' && stored.signal.size.amount === '3'))
          throw new Error('hook failed');
      },
    });
    const outcomes = await Promise.allSettled(
      ['1', '2', '3', '4', '5'].map((amount) => store.accept(intake(amount))),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    const rows = await db.query('SELECT payload FROM signals');
    expect(rows).toHaveLength(4);
    expect(JSON.stringify(rows)).not.toContain('"amount":"3"');
    const again = await store.accept(intake('2'));
    expect(again.duplicate).toBe(true);
    // Once for the whole commit, which failed; then once per signal, each in its savepoint.
    expect(batches).toEqual([5, 1, 1, 1, 1, 1]);
  });

  it('tells what the hook asked once the commit is durable, and never after a rollback', async () => {
    const told: string[] = [];
    const store = await open({
      onAccepted: (_tx, batch) => {
        if (batch.some((stored) => stored.signal.size.kind === 'base' && stored.signal.size.amount === '2'))
          throw new Error('refused');
        return { afterCommit: () => told.push(...batch.map((stored) => stored.id)) };
      },
    });
    const outcomes = await Promise.allSettled(['1', '2', '3'].map((amount) => store.accept(intake(amount))));
    const ids = outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value.signalId : null));
    expect(ids[1]).toBeNull();
    // The optimistic commit rolled back whole: only the savepoint pass's signals are told, each once.
    expect(told).toEqual([ids[0], ids[2]]);
  });

  it('ends signals just accepted as rejected, in the accepting transaction, and answers with why', async () => {
    const store = await open({
      onAccepted: async (tx, batch) => {
        const ids = batch.map((stored) => stored.id);
        await store.rejectReceived(tx, ids, 'EngineHalted: halted');
        return { rejected: new Map(ids.map((id) => [id, 'EngineHalted: halted'])) };
      },
    });
    const answer = await store.accept(intake('1'));
    expect(answer).toEqual({ duplicate: false, signalId: answer.signalId, rejected: 'EngineHalted: halted' });
    expect(await store.get(answer.signalId)).toMatchObject({
      state: 'rejected',
      lastError: 'EngineHalted: halted',
    });
    // A copy is a duplicate of the refused signal: it is not refused (nor traded) a second time.
    expect(await store.accept(intake('1'))).toEqual({ duplicate: true, signalId: answer.signalId });
  });

  it('refuses a signal that breaks the schema', async () => {
    const store = await open();
    await expect(store.accept(intake('1.0'))).rejects.toThrow('not a canonical decimal');
  });

  it('reports an alert stored under its legacy key (by an earlier version) as a duplicate', async () => {
    const store = await open();
    const legacy = { ...intake('1'), dedupKey: legacyDedupKey(signal('1')) };
    const first = await store.accept(legacy);
    const upgraded = { ...intake('1'), legacyDedupKey: legacyDedupKey(signal('1')) };
    const copies = await Promise.all([store.accept(upgraded), store.accept(upgraded)]);
    expect(copies).toEqual([
      { duplicate: true, signalId: first.signalId },
      { duplicate: true, signalId: first.signalId },
    ]);
    const fresh = await store.accept({ ...intake('2'), legacyDedupKey: legacyDedupKey(signal('2')) });
    expect(fresh.duplicate).toBe(false);
    expect(await store.accept({ ...intake('2'), legacyDedupKey: legacyDedupKey(signal('2')) })).toEqual({
      duplicate: true,
      signalId: fresh.signalId,
    });
    expect(await store.get(fresh.signalId)).toMatchObject({
      dedupKey: dedupKey(signal('2')),
      state: 'received',
      attempts: 0,
      receivedAtMs: 1_000,
      signal: signal('2'),
    });
  });

  it('is not called for duplicates', async () => {
    let calls = 0;
    const store = await open({ onAccepted: () => void calls++ });
    await store.accept(intake('1'));
    await store.accept(intake('1'));
    expect(calls).toBe(1);
  });
});

/**
 * The SQLite database with its transactions' ends in the test's hands: `fail` makes the next commit
 * fail (rolled back), and each transaction resolves only when `durable()` is released, as
 * SqliteDatabase's own do once the WAL sync covering them ends.
 */
function controlledDatabase(real: SqliteDatabase) {
  const pending: (() => void)[] = [];
  const control = { fail: false, commits: 0, pending };
  const db: Database = {
    dialect: real.dialect,
    query: (sql, params) => real.query(sql, params),
    execute: (sql, params) => real.execute(sql, params),
    migrate: (migrations) => real.migrate(migrations),
    ping: () => real.ping(),
    close: () => real.close(),
    transaction: async (fn) => {
      const result = await real.transaction(async (tx) => {
        const value = await fn(tx);
        if (control.fail) throw new Error('disk I/O error');
        control.commits += 1;
        return value;
      });
      await new Promise<void>((resolve) => pending.push(resolve));
      return result;
    },
  };
  return { db, control };
}

/** Waits (bounded) until `condition` holds: the real commit under the control syncs off the loop. */
const until = async (condition: () => boolean): Promise<void> => {
  for (let i = 0; i < 2_000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 1));
  expect(condition()).toBe(true);
};

const outcome = async (promise: Promise<unknown>): Promise<string> => {
  let state = 'pending';
  promise.then(
    () => {
      state = 'resolved';
    },
    () => {
      state = 'rejected';
    },
  );
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  return state;
};

describe('SignalStore group commit', () => {
  it('fails every accept of a batch whose commit fails, and stores none of them', async () => {
    const { db: controlled, control } = controlledDatabase(db);
    const store = new SignalStore({ db: controlled, clock, rng: createRng(3) });
    await store.migrate();
    control.fail = true;
    const outcomes = await Promise.allSettled(['1', '2', '3'].map((amount) => store.accept(intake(amount))));
    expect(outcomes.map((settled) => settled.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await db.query('SELECT id FROM signals')).toEqual([]);
    control.fail = false; // the next batch commits: nothing of the failed one was left half-written
    const accepted = store.accept(intake('1'));
    await until(() => control.pending.length === 1);
    control.pending.shift()?.();
    expect((await accepted).duplicate).toBe(false);
  });

  it('resolves no accept before the commit holding its row is durable, and one commit serves a batch', async () => {
    const { db: controlled, control } = controlledDatabase(db);
    const store = new SignalStore({ db: controlled, clock, rng: createRng(3) });
    await store.migrate();
    const first = [store.accept(intake('1')), store.accept(intake('2'))];
    await until(() => control.pending.length === 1);
    expect(await outcome(first[0]!)).toBe('pending');
    // Committed (the rows are in the file) but not yet durable: nobody has been answered.
    expect(await db.query('SELECT COUNT(*) AS count FROM signals')).toEqual([{ count: 2 }]);
    expect(control.commits).toBe(1);
    const later = store.accept(intake('3')); // arrives while the first batch waits for its sync
    control.pending.shift()?.();
    expect(await outcome(first[0]!)).toBe('resolved');
    expect(await outcome(first[1]!)).toBe('resolved');
    await until(() => control.pending.length === 1);
    expect(await outcome(later)).toBe('pending');
    expect(control.commits).toBe(2);
    control.pending.shift()?.();
    expect(await outcome(later)).toBe('resolved');
  });
});

describe('SignalStore states', () => {
  it('lists newest first, by state, and pages with beforeId', async () => {
    const store = await open();
    const ids: string[] = [];
    for (const amount of ['1', '2', '3']) {
      ids.push((await store.accept(intake(amount))).signalId);
      await clock.advance(1);
    }
    await store.updateState(ids[1]!, 'processing');
    expect((await store.list({ limit: 10 })).map((row) => row.id)).toEqual([...ids].reverse());
    expect((await store.list({ limit: 10, state: 'received' })).map((row) => row.id)).toEqual([
      ids[2],
      ids[0],
    ]);
    expect((await store.list({ limit: 1, beforeId: ids[2]! })).map((row) => row.id)).toEqual([ids[1]]);
    await expect(store.list({ limit: 0 })).rejects.toThrow('limit must be an integer in [1, 1000], was 0');
  });

  it('walks legal edges and refuses illegal ones with the edge named', async () => {
    const store = await open();
    const { signalId } = await store.accept(intake('1'));
    await store.updateState(signalId, 'processing');
    const done = await store.updateState(signalId, 'executed');
    expect(done.state).toBe('executed');
    const error = await store.updateState(signalId, 'processing').catch((caught: unknown) => caught);
    expect(isIllegalSignalTransitionError(error)).toBe(true);
    expect((error as Error).message).toBe(`signal ${signalId}: executed -> processing`);
  });

  it('quarantines after attemptsMax failed attempts and says so', async () => {
    const store = await open({ attemptsMax: 2 });
    const { signalId } = await store.accept(intake('1'));
    await store.updateState(signalId, 'processing');
    expect(await store.markAttempt(signalId, 'timeout')).toEqual({ attempts: 1, quarantined: false });
    expect(await store.markAttempt(signalId, 'timeout again')).toEqual({ attempts: 2, quarantined: true });
    expect(await store.get(signalId)).toMatchObject({
      state: 'quarantined',
      attempts: 2,
      lastError: 'timeout again',
    });
    await expect(store.markAttempt(signalId, 'x')).rejects.toThrow('is quarantined');
  });

  it('validates attemptsMax once, with the value in the message', () => {
    expect(() => new SignalStore({ db, attemptsMax: 0 })).toThrow(
      'attemptsMax must be an integer in [1, 1000], was 0',
    );
  });
});

describe('signal ids', () => {
  it('are 26-character ids that sort by time and increase within one millisecond', async () => {
    const source = createSignalIdSource(clock, createRng(1));
    const ids = [source.next(), source.next()];
    await clock.advance(1);
    ids.push(source.next());
    clock.setNow(clock.nowMs() - 10_000);
    ids.push(source.next());
    for (const id of ids) expect(id).toMatch(SIGNAL_ID_PATTERN);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
