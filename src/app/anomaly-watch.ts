// Wires the anomaly detector: every reconciliation row becomes a sample of its currency's
// difference series (matches are zeros; corrections are the adjustment postings), and every flag
// becomes a warning alert with its evidence, a metric, and (only when configured) a halt.
import type { KeelConfig } from '../config/index.js';
import type { Clock } from '../core/clock.js';
import type { KillSwitch } from '../engine/kill-switch.js';
import type { Logger } from '../logging/logger.js';
import { AnomalyDetector, type AnomalyFlag } from '../monitoring/anomaly/anomaly-detector.js';
import type { AnomalyMetrics } from '../monitoring/anomaly/anomaly-metrics.js';
import type { Reconciler } from '../position/reconciliation.js';
import type { ReconciliationRow } from '../position/reconciliation-result.js';
import type { Database } from '../storage/database.js';
import type { AlertRules } from './alert-rules.js';

/** A difference against a zero tolerance is scored as this many tolerances. */
const RATIO_MAX = 1_000_000;

export function createAnomalyDetector(options: {
  config: KeelConfig;
  db: Database;
  clock: Clock;
  logger: Logger;
}): Promise<AnomalyDetector> {
  const a = options.config.anomaly;
  return AnomalyDetector.create({
    database: options.db,
    clock: options.clock,
    logger: options.logger,
    spikeScore: a.spikeScore,
    leakScore: a.leakScore,
    ewmaAlpha: a.ewmaAlpha,
    warmupCount: a.warmupCount,
    cusumHalfLifeMs: a.cusumHalfLifeMs,
    reconciliationScaleFloor: a.reconciliationScaleFloor,
    ...(a.feeTierRate === undefined ? {} : { feeTierRate: a.feeTierRate }),
  });
}

export function watchAnomalies(options: {
  detector: AnomalyDetector;
  reconciler: Reconciler;
  rules: AlertRules;
  killSwitch: KillSwitch;
  metrics: AnomalyMetrics;
  haltOnFlag: boolean;
  logger: Logger;
}): void {
  const { detector, reconciler, logger } = options;
  const observe = (runId: string, row: ReconciliationRow) =>
    void detector
      .observe({
        kind: 'reconciliation',
        currency: row.asset,
        value: differenceRatio(row),
        context: {
          runId,
          action: row.action,
          difference: row.totalDifference.toFixed(),
          tolerance: row.tolerance.toFixed(),
        },
      })
      .catch((error: unknown) => logger.error({ err: error }, 'anomaly detector could not observe'));
  reconciler.onMatch(({ runId, row }) => observe(runId, row));
  reconciler.onCorrected(({ runId, row }) => observe(runId, row));
  reconciler.onBreach(({ runId, rows }) => {
    for (const row of rows) observe(runId, row);
  });
  detector.onFlag((flag) => raiseFlag(flag, options));
}

function raiseFlag(
  flag: AnomalyFlag,
  o: {
    rules: AlertRules;
    killSwitch: KillSwitch;
    metrics: AnomalyMetrics;
    haltOnFlag: boolean;
    logger: Logger;
  },
): void {
  o.metrics.anomalyFlags.inc({ kind: flag.kind, currency: flag.currency, flag: flag.flag });
  const what = flag.flag === 'leak' ? 'sustained drift' : 'sudden change';
  o.rules.raise({
    severity: o.haltOnFlag ? 'critical' : 'warning',
    source: 'anomaly',
    key: `anomaly.${flag.seriesKey}`,
    title: `${what} in ${flag.kind} of ${flag.currency} (score ${flag.score.toFixed(1)}, cusum ${flag.cusum.toFixed(1)})`,
    details: { ...flag },
  });
  if (o.haltOnFlag)
    void o.killSwitch
      .set('HALTED', { source: 'anomaly', by: 'anomaly-detector', reason: `${what} in ${flag.seriesKey}` })
      .catch((error: unknown) => o.logger.error({ err: error }, 'could not halt'));
}

/** Exchange minus ledger as a share of the tolerance; the ratio is a score, the decimals stay in context. */
function differenceRatio(row: ReconciliationRow): number {
  if (row.totalDifference.isZero()) return 0;
  if (row.tolerance.isZero()) return row.totalDifference.isNegative() ? -RATIO_MAX : RATIO_MAX;
  const ratio = row.totalDifference.div(row.tolerance).toNumber();
  return Math.max(-RATIO_MAX, Math.min(RATIO_MAX, ratio));
}
