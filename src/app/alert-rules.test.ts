// Goal (issue 12, mode 9): failures that should be loud are loud. A signal that ends without a trade
// raises an error alert that stays open until a person acknowledges it; a refused credential (401)
// halts trading with a critical alert.
// Method: the real AlertManager and KillSwitch on in-memory SQLite and a fake clock; the engine and
// the adapter are replaced by their event emitters. Before the fix only quarantined signals alerted
// and a 401 changed nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import { EventEmitter } from '../core/events.js';
import type { SignalOutcome } from '../engine/engine.js';
import { KillSwitch, killSwitchMigrations } from '../engine/kill-switch.js';
import type {
  AdapterBreakerEvent,
  AdapterCallEvent,
} from '../exchange/enhanced-nobitex-adapter/adapter-events.js';
import { silentLogger } from '../logging/logger.js';
import { AlertManager } from '../monitoring/alert-system/alert-manager.js';
import { alertMigrations } from '../monitoring/alert-system/alert-store.js';
import { createMetrics } from '../monitoring/metrics.js';
import { SqliteDatabase } from '../storage/sqlite-database.js';
import { AlertRules } from './alert-rules.js';

let db: SqliteDatabase;
let clock: FakeClock;
let alerts: AlertManager;
let killSwitch: KillSwitch;
let rules: AlertRules;
const outcomes = new EventEmitter<SignalOutcome>();
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

/** Alerts are raised without waiting; let their writes finish. */
const settled = async () => {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('loud failures (issue 12, mode 9)', () => {
  it('raises an error alert for every signal that ends without a trade, and keeps it open', async () => {
    rules.watchEngine({ onSignalOutcome: outcomes.addListener });
    outcomes.emit({ signalId: 's1', state: 'rejected', code: 'Stale', message: 'too old' });
    outcomes.emit({ signalId: 's2', state: 'rejected', orderId: 'ord-s2', message: 'order EXPIRED' });
    outcomes.emit({ signalId: 's3', state: 'quarantined', message: 'boom' });
    outcomes.emit({ signalId: 's4', state: 'executed', orderId: 'ord-s4' });
    await settled();
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
