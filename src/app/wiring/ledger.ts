// Stage 5, the ledger: where every fill is posted. Verification posts through a sink that lets the
// anomaly detector (monitoring) look at each posting on its way in. Reconciliation checks the ledger
// against the exchange's balances, at start, periodically and on demand.
import type { KeelConfig } from '../../config/index.js';
import type { Clock } from '../../core/clock.js';
import { LedgerOrderSink } from '../../engine/ledger-sink.js';
import type { OrderJournal } from '../../exchange/order-journal/order-journal.js';
import type { Logger } from '../../logging/logger.js';
import type { AnomalyDetector } from '../../monitoring/anomaly/anomaly-detector.js';
import type { Metrics } from '../../monitoring/metrics.js';
import { Ledger } from '../../position/ledger.js';
import type { Reconciler } from '../../position/reconciliation.js';
import type { Database } from '../../storage/database.js';
import { AnomalyOrderSink } from '../anomaly-order-sink.js';
import type { ExchangeStack } from '../exchange-stack.js';
import { createReconciler, ReconciliationLoop, reconciliationSettings } from '../reconciliation-loop.js';

export interface LedgerStage {
  readonly ledger: Ledger;
  /** What verification posts fills to: the ledger, watched by the anomaly detector. */
  readonly sink: AnomalyOrderSink;
}

export async function wireLedger(options: {
  db: Database;
  clock: Clock;
  logger: Logger;
  anomalies: AnomalyDetector;
}): Promise<LedgerStage> {
  const { db, clock, logger, anomalies } = options;
  const ledger = await Ledger.open({ database: db, clock, logger });
  const sink = new AnomalyOrderSink(new LedgerOrderSink(ledger), anomalies, logger);
  return { ledger, sink };
}

export interface ReconciliationStage {
  readonly reconciler: Reconciler;
  readonly reconciliation: ReconciliationLoop;
}

export async function wireReconciliation(options: {
  config: KeelConfig;
  db: Database;
  clock: Clock;
  logger: Logger;
  ledger: Ledger;
  journal: OrderJournal;
  exchange: ExchangeStack;
  metrics: Metrics;
}): Promise<ReconciliationStage> {
  const reconciler = await createReconciler(options);
  const reconciliation = new ReconciliationLoop({
    reconciler,
    ledger: options.ledger,
    clock: options.clock,
    logger: options.logger,
    intervalMs: reconciliationSettings(options.config).intervalMs,
    onResult: (result) => options.metrics.reconciliations.inc({ outcome: result.status }),
  });
  return { reconciler, reconciliation };
}
