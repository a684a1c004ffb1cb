// The anomaly detector on both storage backends: flags carry their evidence, the model state survives a
// restart (a new detector on the same database continues the same CUSUM), and bad options are refused.
import { expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { AnomalyDetector } from '../../src/monitoring/anomaly/anomaly-detector.js';
import { describeEachBackend } from '../support/databases.js';

describeEachBackend('AnomalyDetector', (makeDb) => {
  it('flags a slow leak with its evidence, continuing across a restart', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const first = await AnomalyDetector.create({ database: await makeDb(), clock });
    for (let run = 0; run < 10; run++) {
      await clock.advance(60_000);
      expect(await first.observe({ kind: 'reconciliation', currency: 'rls', value: 1 / 60 })).toBeUndefined();
    }
    // A restart: a new detector on the same database continues where the first one stopped.
    const second = await AnomalyDetector.create({ database: await makeDb(), clock });
    expect(second.series()[0]).toMatchObject({ seriesKey: 'reconciliation:rls', count: 10 });
    let flag: Awaited<ReturnType<AnomalyDetector['observe']>>;
    let runs = 10;
    do {
      await clock.advance(60_000);
      flag = await second.observe({
        kind: 'reconciliation',
        currency: 'rls',
        value: 1 / 60,
        context: { runId: `r${runs}` },
      });
      runs++;
    } while (flag === undefined && runs < 60);
    expect(runs).toBeLessThanOrEqual(20);
    expect(flag).toMatchObject({ seriesKey: 'reconciliation:rls', flag: 'leak', baseline: 0 });
    expect(flag?.series.length).toBeGreaterThan(10);
    expect(flag?.context).toEqual({ runId: `r${runs - 1}` });
    const stored = await second.recentFlags(5);
    expect(stored.map((f) => f.id)).toEqual([flag?.id]);
    expect(stored[0]?.cusum).toBeCloseTo(flag?.cusum ?? 0);
  });

  it('refuses a non-finite value and bad thresholds', async () => {
    const clock = new FakeClock(0);
    const database = await makeDb();
    const detector = await AnomalyDetector.create({ database, clock });
    await expect(detector.observe({ kind: 'slippage', currency: 'btc', value: Number.NaN })).rejects.toThrow(
      /value must be finite, was NaN/,
    );
    await expect(AnomalyDetector.create({ database, clock, spikeScore: 0 })).rejects.toThrow(
      /spikeScore must be a positive finite number, was 0/,
    );
    await expect(AnomalyDetector.create({ database, clock, ewmaAlpha: 1.5 })).rejects.toThrow(/ewmaAlpha/);
  });
});
