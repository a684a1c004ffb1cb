// Keel's one HTTP server: the webhook (its own auth), the dashboard and its API (access control),
// liveness, readiness and Prometheus metrics.

import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { KeelConfig } from '../config/index.js';
import type { Clock } from '../core/clock.js';
import { isStuckOrderError } from '../exchange/transaction-verification/transaction-verifier.js';
import type { Logger } from '../logging/logger.js';
import type { TradingViewIntake } from '../market-data/tradingview-intake.js';
import { tradingViewWebhookPlugin } from '../market-data/tradingview-webhook-handler.js';
import { createAccessControl } from '../monitoring/api/access-control.js';
import { dashboardApiPlugin } from '../monitoring/api/api-plugin.js';
import type { StatusSource } from '../monitoring/api/status-source.js';
import { dashboardPlugin } from '../monitoring/dashboard/dashboard-plugin.js';
import type { HealthRegistry } from '../monitoring/health-registry.js';
import type { Metrics } from '../monitoring/metrics.js';

export interface HttpServerOptions {
  readonly config: KeelConfig;
  readonly intake: TradingViewIntake;
  readonly source: StatusSource;
  readonly health: HealthRegistry;
  readonly metrics: Metrics;
  /** Refreshes the gauges read at scrape time (pool, budgets, queues, orders by state). */
  readonly beforeScrape?: () => Promise<void>;
  /** Runs one reconciliation now (POST /api/reconcile, `keel reconcile`). */
  readonly reconcile: () => Promise<unknown>;
  /** Ends an UNKNOWN order an operator checked by hand (POST /api/orders/:id/end, `keel orders end`). */
  readonly endStuckOrder: (orderId: string, input: { by: string; reason: string }) => Promise<unknown>;
  /** GET /api/cluster: leadership and shared-state modes of this instance. */
  readonly cluster?: () => Promise<unknown>;
  readonly clock: Clock;
  readonly logger: Logger;
}

export async function createHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const { config } = options;
  const app = Fastify({
    logger: false,
    bodyLimit: 1_048_576,
    // Slow or stuck clients never hold a connection for long; the webhook has its own tighter read timeout.
    requestTimeout: 30_000,
    connectionTimeout: 30_000,
    keepAliveTimeout: 5_000,
    trustProxy: false,
  });
  const access = createAccessControl({
    host: config.server.host,
    ...(config.dashboard.token === undefined ? {} : { token: config.dashboard.token }),
    ...(config.dashboard.basicAuth === undefined ? {} : { basicAuth: config.dashboard.basicAuth }),
  });
  await app.register(tradingViewWebhookPlugin, { prefix: '/webhooks', intake: options.intake });
  await app.register(dashboardApiPlugin, {
    prefix: '/api',
    source: options.source,
    access,
    clock: options.clock,
    logger: options.logger,
  });
  await app.register(dashboardPlugin, { access });
  app.get('/healthz', async () => ({ status: 'alive' }));
  app.get('/readyz', async (_request, reply) => {
    const readiness = await options.health.readiness();
    return reply.code(readiness.ready ? 200 : 503).send(readiness);
  });
  await app.register(async (operatorScope) => {
    operatorScope.addHook('onRequest', access.guard);
    operatorScope.post('/api/reconcile', async () => options.reconcile());
    operatorScope.post('/api/orders/:id/end', { bodyLimit: 4_096 }, async (request, reply) => {
      const parsed = endOrderSchema.safeParse({ params: request.params, body: request.body ?? {} });
      if (!parsed.success) return reply.code(400).send({ error: 'expected :id, and a body { by, reason }' });
      const { params, body } = parsed.data;
      try {
        return await options.endStuckOrder(params.id, {
          by: body.by ?? 'api',
          reason: body.reason ?? 'checked on the exchange by an operator',
        });
      } catch (error) {
        if (isStuckOrderError(error)) return reply.code(409).send({ error: error.message });
        throw error;
      }
    });
    const { cluster } = options;
    if (cluster !== undefined) operatorScope.get('/api/cluster', async () => cluster());
  });
  await app.register(async (metricsScope) => {
    metricsScope.addHook('onRequest', access.guard);
    metricsScope.get('/metrics', async (_request, reply) => {
      await options.beforeScrape?.();
      return reply
        .header('content-type', options.metrics.registry.contentType)
        .send(await options.metrics.registry.metrics());
    });
  });
  return app;
}

const endOrderSchema = z.object({
  params: z.object({ id: z.string().min(1).max(200) }),
  body: z.object({
    by: z.string().min(1).max(200).optional(),
    reason: z.string().min(1).max(500).optional(),
  }),
});
