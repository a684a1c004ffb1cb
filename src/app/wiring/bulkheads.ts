// The bulkheads that keep one component's saturation from blocking another, from the bulkheads
// settings: one per exchange endpoint group (inside the connection pool), one for the operator API's
// handlers, one per alert channel (inside its dispatcher) and one for the engine's signal handlers
// (inside its bus subscription). All of them are listed on the dashboard's status and scraped as metrics.
import type { KeelConfig } from '../../config/index.js';
import { BulkheadPolicy, type BulkheadStats } from '../../core/bulkhead.js';
import type { Clock } from '../../core/clock.js';
import type { Engine } from '../../engine/engine.js';
import { ENDPOINT_GROUPS } from '../../exchange/connection-pool/transport.js';
import type { AlertChannels } from '../../monitoring/alert-system/channels/create-alert-channels.js';
import type { Metrics } from '../../monitoring/metrics.js';
import { Bulkheads } from '../bulkheads.js';
import type { ExchangeStack } from '../exchange-stack.js';

export interface BulkheadStage {
  readonly bulkheads: Bulkheads;
  /** The operator API's handlers run in it. */
  readonly api: BulkheadPolicy;
}

export function wireBulkheads(options: {
  config: KeelConfig;
  clock: Clock;
  exchange: ExchangeStack;
  metrics: Metrics;
  channels: AlertChannels;
  /** The engine of the current trading term (a new one per term). */
  engine: () => Engine;
}): BulkheadStage {
  const { config, exchange } = options;
  const bulkheads = new Bulkheads();
  for (const group of ENDPOINT_GROUPS)
    bulkheads.add(
      `exchange.${group}`,
      () => exchange.pool.stats().bulkheads?.[group] ?? idle(config.bulkheads.exchange[group]),
    );
  const api = new BulkheadPolicy({ ...apiBulkheadOptions(config), clock: options.clock });
  bulkheads.add('api', () => api.stats());
  for (const [name, entry] of options.channels.entries)
    bulkheads.add(`alertChannel.${name}`, () => entry.dispatcher.stats());
  // Idle while this instance stands by (its engine takes no signals).
  bulkheads.add('engine', () => options.engine().workStats() ?? idle(config.bulkheads.engine));
  bulkheads.registerMetrics(options.metrics.registry);
  return { bulkheads, api };
}

/** A bulkhead an injected exchange stack does not report (tests): its limits, nothing running. */
function idle(limits: { concurrentMax: number; queueMax: number }): BulkheadStats {
  return { ...limits, concurrentLimit: limits.concurrentMax, running: 0, queued: 0, rejected: 0 };
}

/** The operator API's bulkhead limits, from the bulkheads settings. */
export const apiBulkheadOptions = (config: KeelConfig) => ({ ...config.bulkheads.api });
