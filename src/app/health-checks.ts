// The health checks of a running Keel, one per component the dashboard shows.
import type { MessageBus } from '../bus/index.js';
import type { Clock } from '../core/clock.js';
import type { AlertChannels } from '../monitoring/alert-system/channels/create-alert-channels.js';
import type { HealthRegistry } from '../monitoring/health-registry.js';
import type { Database } from '../storage/database.js';
import type { ExchangeStack } from './exchange-stack.js';
import type { ReconciliationLoop } from './reconciliation-loop.js';

/** Bus lag above this is degraded, ms. */
const BUS_LAG_DEGRADED_MS = 30_000;

export function registerHealthChecks(options: {
  health: HealthRegistry;
  db: Database;
  exchange: ExchangeStack;
  bus: MessageBus;
  reconciliation: ReconciliationLoop;
  channels: AlertChannels;
  clock: Clock;
}): void {
  const { health, exchange } = options;
  health.register({
    name: 'storage',
    component: 'storage',
    check: async () =>
      (await options.db.ping())
        ? { status: 'healthy' }
        : { status: 'unhealthy', reason: 'database does not answer' },
  });
  for (const group of ['orders', 'account', 'marketData'] as const)
    health.register({
      name: `breaker.${group}`,
      component: 'exchange',
      check: () => {
        const state = exchange.adapter.breakerMetrics(group).state;
        if (state === 'closed') return { status: 'healthy' };
        return { status: state === 'halfOpen' ? 'degraded' : 'unhealthy', reason: `circuit ${state}` };
      },
    });
  health.register({
    name: 'exchange.endpoints',
    component: 'exchange',
    check: () => {
      const endpoints = exchange.pool.stats().endpoints;
      const down = endpoints.filter((endpoint) => endpoint.state === 'down');
      if (down.length === 0) return { status: 'healthy', details: { endpoints: endpoints.length } };
      const status = down.length === endpoints.length ? 'unhealthy' : 'degraded';
      return {
        status,
        reason: `${down.length} of ${endpoints.length} endpoint(s) down: ${down.map((e) => e.baseUrl).join(', ')}`,
      };
    },
  });
  health.register({
    name: 'bus',
    component: 'bus',
    check: async () => {
      const topic = (await options.bus.stats()).topics.signals;
      const lagMs = topic?.lagMs ?? 0;
      const quarantined = topic?.depth.quarantined ?? 0;
      if (quarantined > 0) return { status: 'degraded', reason: `${quarantined} quarantined message(s)` };
      if (lagMs > BUS_LAG_DEGRADED_MS)
        return { status: 'degraded', reason: `signal lag ${Math.round(lagMs / 1_000)} s` };
      return { status: 'healthy', details: { lagMs } };
    },
  });
  health.register({
    name: 'reconciliation',
    component: 'position',
    check: () => {
      const last = options.reconciliation.lastResult();
      if (last === undefined) return { status: 'degraded', reason: 'no reconciliation yet' };
      if (last.status === 'error')
        return { status: 'degraded', reason: `last run failed: ${last.error ?? 'unknown'}` };
      if (last.summary.breachCount > 0)
        return { status: 'unhealthy', reason: `${last.summary.breachCount} currency breach(es)` };
      const ageMs = options.clock.nowMs() - last.finishedAtMs;
      return { status: 'healthy', details: { ageMs, corrected: last.summary.correctedCount } };
    },
  });
  health.register({
    name: 'alert-channels',
    component: 'monitoring',
    check: () => {
      const open = [...options.channels.entries.entries()].filter(
        ([, entry]) => entry.policy.breaker.state !== 'closed',
      );
      if (open.length === 0) return { status: 'healthy' };
      return { status: 'degraded', reason: `channel(s) failing: ${open.map(([name]) => name).join(', ')}` };
    },
  });
  // One row per channel on the dashboard: its own breaker and queue.
  for (const [name, entry] of options.channels.entries)
    health.register({
      name: `alert-channel.${name}`,
      component: 'monitoring',
      check: () => {
        const breaker = entry.policy.breaker.state;
        const details = { breaker, queued: entry.dispatcher.queued };
        if (breaker === 'closed') return { status: 'healthy', details };
        // Degraded, never unhealthy: a failing messenger must not take the instance out of service.
        return {
          status: 'degraded',
          reason: `breaker ${breaker}: deliveries to ${name} are failing`,
          details,
        };
      },
    });
}
