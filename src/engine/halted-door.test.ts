// Goal: while the kill switch as stored says HALTED, the signals a commit stores end rejected in that
// commit, with one recorded refusal for the batch, and none reaches the bus; close and cancel still
// do, and nothing is told of a refusal that rolled back. Method: SQLite in memory, the real store
// and kill switch; the halt is written by a second KillSwitch (the CLI or another instance), so
// this process's copy of the mode is stale.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import { createRng } from '../core/random.js';
import { dedupKey } from '../market-data/dedup-key.js';
import type { Signal } from '../market-data/signal.js';
import { type SignalIntake, SignalStore, type StoredSignal } from '../market-data/signal-store.js';
import { SqliteDatabase } from '../storage/sqlite-database.js';
import type { SignalOutcome } from './engine.js';
import { type DoorRefusal, HaltedDoor } from './halted-door.js';
import { KillSwitch, killSwitchMigrations } from './kill-switch.js';

const signal = (amount: string, action?: 'close' | 'cancel'): Signal => ({
  symbol: 'BTCIRT',
  base: 'btc',
  quote: 'rls',
  side: 'buy',
  size: { kind: 'base', amount },
  order: { type: 'market' },
  alertAtMs: 1_000,
  alertTimeSource: 'alert',
  receivedAtMs: 1_000,
  ...(action === undefined ? {} : { action }),
});
const intake = (amount: string, action?: 'close' | 'cancel'): SignalIntake => ({
  signal: signal(amount, action),
  dedupKey: dedupKey(signal(amount, action)),
  raw: '{}',
  sourceIp: undefined,
});

describe('HaltedDoor', () => {
  let db: SqliteDatabase;
  const clock = new FakeClock();
  let published: string[];
  let woken: string[];
  let store: SignalStore;
  let door: HaltedDoor;
  let local: KillSwitch;
  beforeEach(async () => {
    db = new SqliteDatabase({ path: ':memory:' });
    await db.migrate(killSwitchMigrations);
    published = [];
    woken = [];
    local = await KillSwitch.open({ db, clock });
    store = new SignalStore({
      db,
      clock,
      rng: createRng(5),
      onAccepted: (tx, batch) => door.admit(tx, batch),
    });
    await store.migrate();
    door = new HaltedDoor({
      killSwitch: local,
      signals: store,
      publish: async (_tx, stored: StoredSignal) => void published.push(stored.id),
      wake: (symbol) => woken.push(symbol),
    });
  });
  afterEach(async () => db.close());

  const haltElsewhere = async () =>
    (await KillSwitch.open({ db, clock })).set('HALTED', { source: 'operator', by: 'cli', reason: 'test' });

  it('publishes every signal while the engine runs, and wakes the consumer once per commit and symbol', async () => {
    const accepted = await Promise.all(['1', '2'].map((amount) => store.accept(intake(amount))));
    expect(published).toEqual(accepted.map((result) => result.signalId));
    expect(accepted.map((result) => result.rejected)).toEqual([undefined, undefined]);
    expect(woken).toEqual(['BTCIRT']);
    expect((await store.get(accepted[0]?.signalId ?? ''))?.state).toBe('received');
  });

  it('refuses order signals halted elsewhere in the accepting commit, one refusal for the batch, told after it', async () => {
    await haltElsewhere();
    expect(local.mode, 'this copy has not seen the halt').toBe('RUNNING');
    const recorded: string[] = [];
    door.recordRefusals(async (refusal: DoorRefusal, tx) => {
      // Inside the accepting transaction: the batch's signals are rejected there already.
      const marks = refusal.signalIds.map(() => '?').join(', ');
      const rows = await tx.query(`SELECT state FROM signals WHERE id IN (${marks})`, refusal.signalIds);
      recorded.push(
        `${refusal.code} ${refusal.signalIds.length} (${rows.map((row) => row.state).join(' ')})`,
      );
      return () => recorded.push('told');
    });
    const outcomes: SignalOutcome[] = [];
    door.onSignalOutcome((outcome) => outcomes.push(outcome));
    const accepted = await Promise.all(['1', '2', '3'].map((amount) => store.accept(intake(amount))));
    const ids = accepted.map((result) => result.signalId);
    expect(accepted.map((result) => result.rejected)).toEqual(
      ids.map(() => 'EngineHalted: the engine is halted: no new orders'),
    );
    expect(published).toEqual([]);
    expect(woken, 'nothing went on the bus: nothing to take').toEqual([]);
    expect(recorded).toEqual(['EngineHalted 3 (rejected rejected rejected)', 'told']);
    expect(outcomes.map((outcome) => `${outcome.signalId} ${outcome.state} ${outcome.code}`)).toEqual(
      ids.map((id) => `${id} rejected EngineHalted`),
    );
    for (const id of ids)
      expect(await store.get(id)).toMatchObject({
        state: 'rejected',
        lastError: 'EngineHalted: the engine is halted: no new orders',
      });
  });

  it('still publishes close and cancel while halted: the engine decides those', async () => {
    await haltElsewhere();
    const refusals: number[] = [];
    door.recordRefusals(async (refusal) => {
      refusals.push(refusal.signalIds.length);
      return () => undefined;
    });
    const [close, cancel, order] = await Promise.all([
      store.accept(intake('1', 'close')),
      store.accept(intake('1', 'cancel')),
      store.accept(intake('1')),
    ]);
    expect(published).toEqual([close?.signalId, cancel?.signalId]);
    expect([close?.rejected, cancel?.rejected, order?.rejected]).toEqual([
      undefined,
      undefined,
      'EngineHalted: the engine is halted: no new orders',
    ]);
    expect(woken).toEqual(['BTCIRT']);
    expect(refusals).toEqual([1]);
    expect((await store.get(order?.signalId ?? ''))?.state).toBe('rejected');
    expect((await store.get(close?.signalId ?? ''))?.state).toBe('received');
  });

  it('rolls the accept back with a refusal whose record fails, and tells nothing', async () => {
    await haltElsewhere();
    const outcomes: SignalOutcome[] = [];
    door.onSignalOutcome((outcome) => outcomes.push(outcome));
    door.recordRefusals(async () => {
      throw new Error('disk full');
    });
    await expect(store.accept(intake('1'))).rejects.toThrow('disk full');
    expect(await store.list({ limit: 10 })).toEqual([]);
    expect(outcomes).toEqual([]);
  });
});
