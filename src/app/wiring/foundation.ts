// The ground every stage stands on, built first and closed last: tracing, storage, metrics and
// telemetry, the health registry, the cluster (trading lease, shared breaker and rate state) and the
// exchange stack. What it returns as `base` is what each stage of the data flow is built from.
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { KeelConfig } from '../../config/index.js';
import { type Clock, systemClock } from '../../core/clock.js';
import { type Rng, systemRng } from '../../core/random.js';
import type { Logger } from '../../logging/logger.js';
import { HealthRegistry } from '../../monitoring/health-registry.js';
import { createMetrics, type Metrics } from '../../monitoring/metrics.js';
import { startAppTracing } from '../../monitoring/tracing/app-tracing.js';
import type { Database } from '../../storage/database.js';
import type { LeaderLease } from '../../storage/leadership/leader-lease.js';
import { type Cluster, createCluster } from '../cluster.js';
import { createExchangeStack, type ExchangeStack } from '../exchange-stack.js';
import { Telemetry } from '../telemetry.js';
import { resolveWebhookPassphrase } from '../webhook-passphrase.js';
import { openStorage } from './storage.js';

export type ExchangeStackArgs = Parameters<typeof createExchangeStack>[0];

export interface FoundationOptions {
  readonly config: KeelConfig;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly rng?: Rng;
  /** Replaces the exchange stack (tests: an in-process transport to the simulator). */
  readonly exchange?: (args: ExchangeStackArgs) => Promise<ExchangeStack>;
  /** Records spans even without tracing.otlpEndpoint (tests: an in-memory exporter). */
  readonly spanExporter?: SpanExporter;
}

/** What every stage is built from. */
export interface Base {
  readonly config: KeelConfig;
  readonly db: Database;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly telemetry: Telemetry;
  readonly health: HealthRegistry;
  readonly exchange: ExchangeStack;
  readonly lease: LeaderLease | undefined;
}

export interface Foundation {
  readonly base: Base;
  readonly cluster: Cluster;
  readonly webhookPassphrase: { value: string; generated: boolean };
}

/** Builds the foundation; each part's closer is added to `closers` in the order they must run. */
export async function wireFoundation(
  options: FoundationOptions,
  closers: (() => Promise<void>)[],
): Promise<Foundation> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const rng = options.rng ?? systemRng();
  const tracing = await startAppTracing(config, logger, options.spanExporter);
  closers.push(() => tracing.close()); // last: flushes the spans of the whole shutdown
  const webhookPassphrase = resolveWebhookPassphrase(config);
  const db = await openStorage(config, closers);
  const metrics = createMetrics();
  const telemetry = new Telemetry(clock, metrics);
  const health = new HealthRegistry({ clock });
  // Not ready until the opening balances are taken and every open order is resolved.
  health.setReady('startup-recovery', false, 'starting');
  const cluster = await createCluster({ config, db, clock, logger });
  closers.unshift(() => cluster.close());
  const exchange = await (options.exchange ?? createExchangeStack)({
    config,
    clock,
    rng,
    logger,
    ...(cluster.rateLimitStore === undefined ? {} : { rateLimitStore: cluster.rateLimitStore }),
    ...(cluster.breakerFactory === undefined ? {} : { breakerFactory: cluster.breakerFactory }),
  });
  closers.unshift(() => exchange.close());
  await cluster.start();
  const base = { config, db, clock, rng, logger, metrics, telemetry, health, exchange, lease: cluster.lease };
  return { base, cluster, webhookPassphrase };
}
