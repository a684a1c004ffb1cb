// Keel's Prometheus metrics, on a registry of its own (so tests and several engines never collide).
// Labels are low-cardinality by design: endpoint names, group names, states, severities; never ids.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export const BREAKER_STATE_VALUES = { closed: 0, halfOpen: 1, open: 2, isolated: 3 } as const;

/**
 * The process's own metrics (CPU, memory, GC, event loop) are facts of the process: collected once, on
 * a registry of their own, and shared by every app's registry. Collected per app, their observers (GC,
 * event loop) would keep each app's registry, and through its gauges the whole app, alive for good:
 * every app built in one process (a restart in place, the chaos world's restarts) would leak.
 */
let processRegistry: Registry | undefined;

function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: 'keel_' });
  }
  return processRegistry;
}

export function createMetrics(options: { processMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.processMetrics !== false) {
    const shared = processMetrics();
    for (const { name } of shared.getMetricsAsArray()) {
      const metric = shared.getSingleMetric(name);
      if (metric !== undefined) registry.registerMetric(metric);
    }
  }
  const registers = [registry];
  return {
    registry,
    exchangeRequestSeconds: new Histogram({
      name: 'keel_exchange_request_duration_seconds',
      help: 'Exchange request latency by endpoint and outcome',
      labelNames: ['endpoint', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    exchangeRetries: new Counter({
      name: 'keel_exchange_retries_total',
      help: 'Retries of exchange calls by endpoint',
      labelNames: ['endpoint'],
      registers,
    }),
    exchangeRejections: new Counter({
      name: 'keel_exchange_rejections_total',
      help: 'Business rejections by the exchange, by endpoint and Nobitex code',
      labelNames: ['endpoint', 'code'],
      registers,
    }),
    cacheRequests: new Counter({
      name: 'keel_cache_requests_total',
      help: 'Cache lookups by cache and result (hit, miss, stale)',
      labelNames: ['cache', 'result'],
      registers,
    }),
    breakerState: new Gauge({
      name: 'keel_breaker_state',
      help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open, 3 isolated',
      labelNames: ['breaker'],
      registers,
    }),
    breakerTransitions: new Counter({
      name: 'keel_breaker_transitions_total',
      help: 'Circuit breaker state changes',
      labelNames: ['breaker', 'to'],
      registers,
    }),
    poolConnections: new Gauge({
      name: 'keel_pool_connections',
      help: 'Connection pool figures per endpoint group',
      labelNames: ['group', 'kind'],
      registers,
    }),
    rateLimitRemaining: new Gauge({
      name: 'keel_rate_limit_remaining',
      help: 'Requests left in the tightest window of each rate-limit budget',
      labelNames: ['budget'],
      registers,
    }),
    rateLimitBackoffs: new Counter({
      name: 'keel_rate_limit_backoffs_total',
      help: 'Back-off penalties received from the exchange (HTTP 429 backOff)',
      labelNames: ['budget'],
      registers,
    }),
    queueDepth: new Gauge({
      name: 'keel_queue_depth',
      help: 'Messages waiting per queue',
      labelNames: ['queue'],
      registers,
    }),
    busLagSeconds: new Gauge({
      name: 'keel_bus_lag_seconds',
      help: 'Age of the oldest pending message',
      registers,
    }),
    signals: new Counter({
      name: 'keel_signals_total',
      help: 'Webhook signals by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    orderTransitions: new Counter({
      name: 'keel_order_transitions_total',
      help: 'Order state transitions by target state',
      labelNames: ['state'],
      registers,
    }),
    ordersByState: new Gauge({
      name: 'keel_orders',
      help: 'Orders by state',
      labelNames: ['state'],
      registers,
    }),
    verificationSeconds: new Histogram({
      name: 'keel_verification_duration_seconds',
      help: 'Time from prepare to a terminal order state',
      labelNames: ['state'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    }),
    reconciliationDifference: new Gauge({
      name: 'keel_reconciliation_difference',
      help: 'Ledger minus exchange balance per currency at the last reconciliation',
      labelNames: ['currency'],
      registers,
    }),
    reconciliations: new Counter({
      name: 'keel_reconciliations_total',
      help: 'Reconciliation runs by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    alerts: new Counter({
      name: 'keel_alerts_total',
      help: 'Alerts raised by severity',
      labelNames: ['severity'],
      registers,
    }),
    authFailures: new Counter({
      name: 'keel_auth_failures_total',
      help: 'Failed dashboard/API logins; result throttled when the address was blocked by it',
      labelNames: ['result'],
      registers,
    }),
    engineMode: new Gauge({
      name: 'keel_engine_mode',
      help: 'Engine mode: 0 running, 1 reducing, 2 halted',
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
