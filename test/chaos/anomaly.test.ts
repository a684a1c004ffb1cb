// Goal: the anomaly detector flags a slow leak (0.01 % of a balance per hour, quietly auto-corrected by
// every reconciliation) long before it adds up to the tolerance, stays quiet on the same noise without
// a leak, and shows its flag beside the ledger, as a warning alert with evidence and as a metric,
// without halting. Method: the chaos world (engine + simulator + SQLite + fake clock in one process).
import { afterEach, describe, expect, it } from 'vitest';
import { leakOneMinute, leakWorldConfig, runAnomalyScenario } from './anomaly-scenario.js';
import { ChaosWorld } from './world.js';

const worlds: ChaosWorld[] = [];
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((world) => world.close()));
});

describe('anomaly detection in the chaos world', () => {
  it('flags the leak before it reaches the tolerance, and the control run raises no flag', async () => {
    const leak = await runAnomalyScenario(5, { leak: true, stepCount: 20 });
    expect(leak.error).toBeNull();
    expect(leak.flaggedAtMs).not.toBeNull();
    expect(leak.reachedAtMs).toBeNull(); // the run stops at the flag, before the tolerance is reached
    expect((leak.flaggedAtMs ?? 0) - leak.startedAtMs).toBeLessThan(60 * 60_000);
    expect(leak.falseFlags).toEqual([]);
    const control = await runAnomalyScenario(5, { leak: false, stepCount: 20 });
    expect(control.error).toBeNull();
    expect(control.falseFlags).toEqual([]);
  }, 60_000);

  it('shows the flag beside the ledger, as a warning alert with evidence and a metric, and does not halt', async () => {
    const world = new ChaosWorld(6, { config: leakWorldConfig() });
    worlds.push(world);
    await world.startApp();
    for (let minute = 0; minute < 30; minute++) {
      leakOneMinute(world);
      await world.clock.advance(60_000);
    }
    const app = world.app;
    const ledger = (await app.server.inject({ method: 'GET', url: '/api/ledger' })).json();
    expect(ledger.anomalies[0]).toMatchObject({
      seriesKey: 'reconciliation:usdt',
      flag: 'leak',
      baseline: 0,
    });
    expect(ledger.anomalies[0].series.length).toBeGreaterThan(5);
    expect(ledger.anomalies[0].context).toMatchObject({ action: 'corrected', tolerance: '10' });
    const alerts = await app.db.query<{ severity: string; title: string }>(
      "SELECT severity, title FROM alerts WHERE source = 'anomaly'",
    );
    expect(alerts).toEqual([expect.objectContaining({ severity: 'warning' })]);
    expect(alerts[0]?.title).toMatch(/sustained drift in reconciliation of usdt/);
    const metrics = (await app.server.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(
      /keel_anomaly_flags_total\{kind="reconciliation",currency="usdt",flag="leak"\} 1/,
    );
    expect(app.killSwitch.mode).toBe('RUNNING');
  }, 60_000);
});
