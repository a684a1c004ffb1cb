// Every metric family has its series from the first scrape: counters at 0 and histograms empty for
// their known label values, breakers closed, the engine in its stored mode. Alert rules that compare
// or rate these series then never see a gap before the first event. Dynamic labels (rate budgets,
// pool groups, queues, orders by state) are filled at each scrape by metrics-collector.ts.
import { ALERT_SEVERITIES, type KeelConfig } from '../config/index.js';
import type { EngineMode } from '../engine/kill-switch.js';
import type { PredictiveActionKind } from '../exchange/connection-pool/predictive-recovery.js';
import { ENDPOINT_GROUPS } from '../exchange/connection-pool/transport.js';
import { CACHE_NAMES } from '../exchange/enhanced-nobitex-adapter/adapter-options.js';
import { NOBITEX_ENDPOINTS } from '../exchange/nobitex-client/endpoints.js';
import { ORDER_STATES, TERMINAL_STATES } from '../exchange/order-journal/order-state.js';
import type { RejectReason } from '../market-data/tradingview-intake.js';
import type { AnomalyMetrics } from '../monitoring/anomaly/anomaly-metrics.js';
import type { SeriesKind } from '../monitoring/anomaly/anomaly-options.js';
import type { FlagKind } from '../monitoring/anomaly/robust-baseline.js';
import { BREAKER_STATE_VALUES, type Metrics } from '../monitoring/metrics.js';
import type { ReconciliationStatus } from '../position/reconciliation-result.js';

export const ENGINE_MODE_VALUES: Readonly<Record<EngineMode, number>> = {
  RUNNING: 0,
  REDUCING: 1,
  HALTED: 2,
};

const REJECT_REASONS: readonly RejectReason[] = [
  'auth',
  'invalid',
  'stale',
  'too_large',
  'timeout',
  'unavailable',
];
const SIGNAL_OUTCOMES = ['received', 'accepted', 'duplicate', ...REJECT_REASONS.map((r) => `rejected_${r}`)];
const RECONCILIATION_STATUSES: readonly ReconciliationStatus[] = ['ok', 'corrected', 'breach', 'error'];
const CACHE_RESULTS = ['hit', 'miss', 'stale'] as const;
const SERIES_KINDS: readonly SeriesKind[] = ['reconciliation', 'slippage', 'feeRate', 'fillRatio'];
const FLAG_KINDS: readonly FlagKind[] = ['spike', 'leak'];
const PREDICTIVE_ACTIONS: readonly PredictiveActionKind[] = [
  'drain',
  'restore',
  'throttle',
  'unthrottle',
  'openBreaker',
];
/** Nobitex's documented order-placement rejections (reference 7.2); others appear when first seen. */
const PLACE_ORDER_CODES = [
  'InvalidOrderPrice',
  'BadPrice',
  'OverValueOrder',
  'SmallOrder',
  'DuplicateOrder',
  'DuplicateClientOrderId',
  'InvalidMarketPair',
  'MarketClosed',
  'TradingUnavailable',
];

export interface SeriesSources {
  readonly config: KeelConfig;
  readonly baseUrls: readonly string[];
  readonly engineMode: EngineMode;
}

/** Creates the series of every family at its starting value; call once, before the first scrape. */
export function seedMetricSeries(metrics: Metrics, anomaly: AnomalyMetrics, sources: SeriesSources): void {
  for (const endpoint of Object.keys(NOBITEX_ENDPOINTS)) {
    metrics.exchangeRequestSeconds.zero({ endpoint, outcome: 'ok' });
    metrics.exchangeRetries.inc({ endpoint }, 0);
  }
  for (const code of PLACE_ORDER_CODES) metrics.exchangeRejections.inc({ endpoint: 'placeOrder', code }, 0);
  for (const cache of CACHE_NAMES)
    for (const result of CACHE_RESULTS) metrics.cacheRequests.inc({ cache, result }, 0);
  for (const breaker of ENDPOINT_GROUPS) {
    metrics.breakerState.set({ breaker }, BREAKER_STATE_VALUES.closed);
    for (const to of Object.keys(BREAKER_STATE_VALUES)) metrics.breakerTransitions.inc({ breaker, to }, 0);
  }
  for (const outcome of SIGNAL_OUTCOMES) metrics.signals.inc({ outcome }, 0);
  for (const state of ORDER_STATES) metrics.orderTransitions.inc({ state }, 0);
  for (const state of TERMINAL_STATES) metrics.verificationSeconds.zero({ state });
  const currencies = Object.keys(sources.config.reconciliation.tolerance);
  // No run yet: no difference known, so none above tolerance. The first run replaces these.
  for (const currency of currencies) metrics.reconciliationDifference.set({ currency }, 0);
  for (const outcome of RECONCILIATION_STATUSES) metrics.reconciliations.inc({ outcome }, 0);
  for (const severity of ALERT_SEVERITIES) metrics.alerts.inc({ severity }, 0);
  for (const result of ['refused', 'throttled']) metrics.authFailures.inc({ result }, 0);
  metrics.engineMode.set(ENGINE_MODE_VALUES[sources.engineMode]);
  metrics.busLagSeconds.set(0);
  for (const kind of SERIES_KINDS)
    for (const currency of currencies)
      for (const flag of FLAG_KINDS) anomaly.anomalyFlags.inc({ kind, currency, flag }, 0);
  for (const endpoint of sources.baseUrls)
    for (const action of PREDICTIVE_ACTIONS) anomaly.predictiveActions.inc({ endpoint, action }, 0);
}
