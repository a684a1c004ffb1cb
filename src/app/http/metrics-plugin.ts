// GET /metrics: the Prometheus exposition of Keel's registry, its scrape-time gauges refreshed first.
// Register it behind the operator access guard.
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../monitoring/metrics.js';

export interface MetricsPluginOptions {
  readonly metrics: Metrics;
  /** Refreshes the gauges read at scrape time (pool, budgets, queues, orders by state). */
  readonly beforeScrape?: () => Promise<void>;
}

export async function metricsPlugin(app: FastifyInstance, options: MetricsPluginOptions): Promise<void> {
  const { registry } = options.metrics;
  app.get('/metrics', async (_request, reply) => {
    await options.beforeScrape?.();
    return reply.header('content-type', registry.contentType).send(await registry.metrics());
  });
}
