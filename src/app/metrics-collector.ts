// Gauges read at scrape time: pool connections, rate-limit budgets, queue depths, orders by state and
// the last reconciliation's differences. Counters and histograms are fed by events (telemetry.ts).
import type { MessageBus } from '../bus/index.js';
import type { OrderJournal } from '../exchange/order-journal/order-journal.js';
import { ORDER_STATES } from '../exchange/order-journal/order-state.js';
import { BREAKER_STATE_VALUES, type Metrics } from '../monitoring/metrics.js';
import type { ExchangeStack } from './exchange-stack.js';
import type { ReconciliationLoop } from './reconciliation-loop.js';

export interface GaugeSources {
  readonly exchange: ExchangeStack;
  readonly bus: MessageBus;
  readonly journal: OrderJournal;
  readonly reconciliation: ReconciliationLoop;
}

export async function collectGauges(metrics: Metrics, sources: GaugeSources): Promise<void> {
  const [adapterStats, busStats, ordersByState] = await Promise.all([
    sources.exchange.adapter.stats(),
    sources.bus.stats(),
    sources.journal.countByState(),
  ]);
  // The breakers' own state, not only their last transition: a state restored or shared at start counts.
  for (const [breaker, state] of Object.entries(adapterStats.breakers))
    metrics.breakerState.set({ breaker }, BREAKER_STATE_VALUES[state.state]);
  const pool = sources.exchange.pool.stats();
  metrics.poolConnections.reset();
  for (const host of pool.hosts)
    for (const kind of ['connected', 'free', 'pending', 'queued', 'running'] as const)
      metrics.poolConnections.inc({ group: host.group, kind }, host[kind]);
  for (const [group, queue] of Object.entries(pool.groups))
    metrics.queueDepth.set({ queue: `pool.${group}` }, queue.queueDepth);
  for (const snapshot of adapterStats.rateLimits) {
    const tightest = Math.min(...snapshot.windows.map((window) => window.remaining));
    metrics.rateLimitRemaining.set({ budget: snapshot.key }, Number.isFinite(tightest) ? tightest : 0);
    metrics.rateLimitBackoffs.inc({ budget: snapshot.key }, 0); // the series exists before its first 429
  }
  for (const [topic, stats] of Object.entries(busStats.topics)) {
    metrics.queueDepth.set({ queue: `bus.${topic}` }, stats.depth.pending + stats.depth.processing);
    if (topic === 'signals') metrics.busLagSeconds.set(stats.lagMs / 1_000);
  }
  for (const state of ORDER_STATES) metrics.ordersByState.set({ state }, ordersByState[state] ?? 0);
  const last = sources.reconciliation.lastResult();
  for (const row of last?.rows ?? [])
    metrics.reconciliationDifference.set({ currency: row.asset }, Number(row.totalDifference.toFixed(10)));
}
