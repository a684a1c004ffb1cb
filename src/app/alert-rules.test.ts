// Goal (issue 12, mode 9): failures that should be loud are loud. A signal that ends without a trade
// raises an error alert that stays open until a person acknowledges it; a refused credential (401)
// halts trading with a critical alert.
// Method: the real AlertManager and KillSwitch on in-memory SQLite and a fake clock; the engine and
// the adapter are replaced by their event emitters. Before the fix only quarantined signals alerted
// and a 401 changed nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import { EventEmitter } from '../core/events.js';
import type { OutcomeRecorder, SignalOutcome } from '../engine/engine.js';
import { KillSwitch, killSwitchMigrations } from '../engine/kill-switch.js';
import type {
  AdapterBreakerEvent,
  AdapterCallEvent,
} from '../exchange/enhanced-nobitex-adapter/adapter-events.js';
import { silentLogger } from '../logging/logger.js';
import { AlertManager } from '../monitoring/alert-system/alert-manager.js';
import { alertMigrations } from '../monitoring/alert-system/alert-store.js';
import { createMetrics } from '../monitoring/metrics.js';
import type { Queryable } from '../storage/database.js';
import { SqliteDatabase } from '../storage/sqlite-database.js';
import { AlertRules } from './alert-rules.js';

let db: SqliteDatabase;
let clock: FakeClock;
let alerts: AlertManager;
let killSwitch: KillSwitch;
let rules: AlertRules;
const calls = new EventEmitter<AdapterCallEvent>();
const breakers = new EventEmitter<AdapterBreakerEvent>();

beforeEach(async () => {
  db = new SqliteDatabase({ path: ':memory:' });
  await db.migrate([...alertMigrations, ...killSwitchMigrations]);
  clock = new FakeClock(Date.UTC(2026, 0, 1));
  alerts = await AlertManager.open({
    db,
    clock,
    dedupWindowMs: 60_000,
    groupWaitMs: 1_000,
    groupIntervalMs: 60_000,
    repeatIntervalMs: 3_600_000,
    dispatchers: [],
    routes: { info: [], warning: [], error: [], critical: [] },
  });
  killSwitch = await KillSwitch.open({ db, clock });
  rules = new AlertRules({
    alerts,
    killSwitch,
    clock,
    logger: silentLogger,
    metrics: createMetrics(),
    haltAfterExchangeFailureMs: 120_000,
    haltOnBreach: true,
  });
});
afterEach(async () => {
  rules.stop();
  await alerts.stop();
  await db.close();
});

/** The engine's side of recordOutcomes: its recorders, and what records an outcome in them. */
function fakeEngine() {
  const recorders = new Set<OutcomeRecorder>();
  return {
    recordOutcomes: (recorder: OutcomeRecorder) => {
      recorders.add(recorder);
      return { dispose: () => void recorders.delete(recorder) };
    },
    /** As the engine records an outcome: in `tx` when given, and tells of it after. */
    record: async (outcome: SignalOutcome, tx?: Queryable) => {
      const told: (() => void)[] = [];
      for (const recorder of recorders) told.push(await recorder(outcome, tx));
      return () => {
        for (const tell of told) tell();
      };
    },
  };
}

/** Alerts are raised without waiting; let their writes finish. */
const settled = async () => {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('loud failures (issue 12, mode 9)', () => {
  it('raises an error alert for every signal that ends without a trade, and keeps it open', async () => {
    const engine = fakeEngine();
    rules.watchEngine(engine);
    for (const outcome of [
      { signalId: 's1', state: 'rejected', code: 'Stale', message: 'too old' },
      { signalId: 's2', state: 'rejected', orderId: 'ord-s2', message: 'order EXPIRED' },
      { signalId: 's3', state: 'quarantined', message: 'boom' },
      { signalId: 's4', state: 'executed', orderId: 'ord-s4' },
    ] as const)
      (await engine.record(outcome))();
    const open = alerts.openAlerts();
    expect(open.map((alert) => `${alert.severity}:${alert.key}`).sort()).toEqual([
      'error:signal.quarantined.s3',
      'error:signal.rejected.s1',
      'error:signal.rejected.s2',
    ]);
    // Nothing resolves them: an hour later they are still open, until a person acknowledges.
    await clock.advance(3_600_000);
    expect(alerts.openAlerts()).toHaveLength(3);
    const first = open[0];
    if (first === undefined) throw new Error('no alert');
    expect((await alerts.acknowledge(first.id, 'ops')).state).toBe('acknowledged');
  });

  it("commits a refusal's alert with the signal's end, and tells of it only after that commit", async () => {
    const engine = fakeEngine();
    rules.watchEngine(engine);
    const refused = { signalId: 's1', state: 'rejected', code: 'Halted', message: 'halted' } as const;
    const stored = () => db.query('SELECT dedup_key FROM alerts');
    await expect(
      db.transaction(async (tx) => {
        await engine.record(refused, tx);
        throw new Error('the end failed');
      }),
    ).rejects.toThrow('the end failed');
    expect(await stored()).toEqual([]); // rolled back with the end: nothing stored, nothing told
    const tell = await db.transaction((tx) => engine.record(refused, tx));
    expect(await stored()).toEqual([{ dedup_key: 'signal.rejected.s1' }]);
    expect(alerts.openAlerts()).toEqual([]);
    tell();
    expect(alerts.openAlerts().map((alert) => alert.key)).toEqual(['signal.rejected.s1']);
  });

  it('halts trading with a critical alert when the exchange refuses the credentials', async () => {
    rules.watchAdapter({
      onCall: calls.addListener,
      onBreakerStateChange: breakers.addListener,
      onRateLimitPenalty: new EventEmitter<never>().addListener,
    });
    calls.emit({ endpoint: 'orderStatus', group: 'orders', outcome: 'ok', durationMs: 5, attempts: 1 });
    await settled();
    expect(killSwitch.mode).toBe('RUNNING');
    calls.emit({ endpoint: 'wallets', group: 'account', outcome: 'auth', durationMs: 5, attempts: 1 });
    await settled();
    expect(killSwitch.mode).toBe('HALTED');
    expect(killSwitch.lastChange?.source).toBe('exchange-failure');
    expect(alerts.openAlerts().map((alert) => `${alert.severity}:${alert.key}`)).toContain(
      'critical:exchange.credentials-refused',
    );
  });
});
