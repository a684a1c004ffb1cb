// Goal (issue 15): an engine-mode alert resolves when the mode changes, so a second HALT is a new alert
// with its own title instead of a repeat of the first. Method: the real kill switch and alert manager on
// in-memory SQLite, a fake clock, and the rules wired between them.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MessageBus } from '../bus/index.js';
import { FakeClock } from '../core/clock.js';
import { KillSwitch, killSwitchMigrations } from '../engine/kill-switch.js';
import { silentLogger } from '../logging/logger.js';
import { AlertManager } from '../monitoring/alert-system/alert-manager.js';
import { alertMigrations } from '../monitoring/alert-system/alert-store.js';
import { createMetrics } from '../monitoring/metrics.js';
import { SqliteDatabase } from '../storage/sqlite-database.js';
import { AlertRules } from './alert-rules.js';

describe('engine-mode alerts', () => {
  let db: SqliteDatabase;
  let alerts: AlertManager;
  let killSwitch: KillSwitch;
  const clock = new FakeClock();

  beforeEach(async () => {
    db = new SqliteDatabase({ path: ':memory:' });
    await db.migrate([...alertMigrations, ...killSwitchMigrations]);
    alerts = await AlertManager.open({
      db,
      clock,
      dedupWindowMs: 300_000,
      groupWaitMs: 1,
      groupIntervalMs: 1_000,
      repeatIntervalMs: 60_000,
      dispatchers: [],
      routes: { info: [], warning: [], error: [], critical: [] },
    });
    killSwitch = await KillSwitch.open({ db, clock, initialMode: 'RUNNING' });
    const rules = new AlertRules({
      alerts,
      killSwitch,
      clock,
      logger: silentLogger,
      metrics: createMetrics({ processMetrics: false }),
      haltAfterExchangeFailureMs: 60_000,
      haltOnBreach: true,
    });
    rules.watchBus({ onQuarantine: () => ({ dispose() {} }) } as unknown as MessageBus);
  });
  afterEach(async () => {
    await alerts.stop();
    await db.close();
  });

  const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
  const operator = (reason: string) => ({ source: 'operator' as const, by: 'bale:ops:42', reason });

  it('resolves the HALTED alert on resume, and a second HALT gets its own alert and title', async () => {
    await killSwitch.set('HALTED', operator('first'));
    await settle();
    const [first] = alerts.openAlerts();
    expect(first?.title).toBe('engine HALTED (operator: first)');
    await killSwitch.set('RUNNING', operator('fixed'));
    await settle();
    expect(alerts.openAlerts()).toEqual([]);
    expect((await alerts.store.get(first?.id ?? ''))?.resolvedBy).toBe('keel');
    await killSwitch.set('HALTED', operator('second'));
    await settle();
    const open = alerts.openAlerts();
    expect(open.map((alert) => alert.title)).toEqual(['engine HALTED (operator: second)']);
    expect(open[0]?.id).not.toBe(first?.id);
  });

  it('resolves REDUCING when the engine halts, keeping only the alert of the mode it is in', async () => {
    await killSwitch.set('REDUCING', operator('calm'));
    await settle();
    await killSwitch.set('HALTED', operator('stop'));
    await settle();
    expect(alerts.openAlerts().map((alert) => alert.key)).toEqual(['engine.mode.HALTED']);
  });
});
