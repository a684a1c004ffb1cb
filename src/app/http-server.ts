// Keel's listeners. The webhook listener serves the webhook (its own auth) and the probes; the operator
// surface (dashboard, API, metrics) shares it, or with server.operatorPort gets a listener of its own,
// so that only the webhook need be exposed through a proxy. On every listener a foreign Host is refused
// before any route runs, and slow or piled-up connections are cut off.
import Fastify, { type FastifyInstance } from 'fastify';
import type { KeelConfig } from '../config/index.js';
import type { BulkheadPolicy } from '../core/bulkhead.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../logging/logger.js';
import { AddressSet, resolveClientAddress, unmapIpv4 } from '../market-data/authenticate.js';
import type { TradingViewIntake } from '../market-data/tradingview-intake.js';
import { tradingViewWebhookPlugin } from '../market-data/tradingview-webhook-handler.js';
import { type AuthFailure, createAccessControl } from '../monitoring/api/access-control.js';
import { dashboardApiPlugin } from '../monitoring/api/api-plugin.js';
import { operatorAccessPlugin } from '../monitoring/api/operator-access-plugin.js';
import type { StatusSource } from '../monitoring/api/status-source.js';
import { tradingApiPlugin } from '../monitoring/api/trading-api-plugin.js';
import type { TradingSource } from '../monitoring/api/trading-source.js';
import { dashboardPlugin } from '../monitoring/dashboard/dashboard-plugin.js';
import type { HealthRegistry } from '../monitoring/health-registry.js';
import type { Metrics } from '../monitoring/metrics.js';
import { HostAllowList } from './host-allow-list.js';
import { apiBulkheadPlugin } from './http/api-bulkhead-plugin.js';
import { metricsPlugin } from './http/metrics-plugin.js';
import { operationsPlugin } from './http/operations-plugin.js';
import { probesPlugin } from './http/probes-plugin.js';

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
  /** Positions, P&L, order detail, ledger history, close and cancel (tradingApiPlugin). */
  readonly trading?: TradingSource;
  /** GET /api/cluster: leadership and shared-state modes of this instance. */
  readonly cluster?: () => Promise<unknown>;
  /** Credentials were presented to the operator surface and were wrong. */
  readonly onAuthFailure?: (failure: AuthFailure) => void;
  /** The operator API's handlers run in it (bulkheads.api). */
  readonly apiBulkhead?: BulkheadPolicy;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface HttpServers {
  /** The webhook and the probes; also the operator surface unless it has its own listener. */
  readonly webhook: FastifyInstance;
  /** The dashboard, API and metrics on server.operatorHost:operatorPort, when configured. */
  readonly operator: FastifyInstance | undefined;
}

/** How often Node looks for requests past their header or request timeout, ms. */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/** Where Keel listens and how its listeners treat connections, from the server settings. */
export function serverSettings(config: KeelConfig) {
  const { server } = config;
  const operator =
    server.operatorPort === undefined ? undefined : { host: server.operatorHost, port: server.operatorPort };
  return {
    webhook: { host: server.host, port: server.port },
    /** The operator surface's own listener; unset: it shares the webhook's. */
    operator,
    hosts: {
      listenHosts: operator === undefined ? [server.host] : [server.host, operator.host],
      publicHosts: server.publicHosts,
    },
    requestTimeoutMs: server.requestTimeoutMs,
    headersTimeoutMs: server.headersTimeoutMs,
    connectionsMax: server.connectionsMax,
    shutdownGraceMs: server.shutdownGraceMs,
  };
}

/** Who may use the operator surface and how failed logins are throttled, from the dashboard settings. */
export function accessSettings(config: KeelConfig) {
  const { dashboard } = config;
  return {
    ...(dashboard.token === undefined ? {} : { token: dashboard.token }),
    ...(dashboard.basicAuth === undefined ? {} : { basicAuth: dashboard.basicAuth }),
    sessionTtlMs: dashboard.sessionTtlMs,
    authFailuresMax: dashboard.authFailuresMax,
    authFailureWindowMs: dashboard.authFailureWindowMs,
  };
}

export async function createHttpServers(options: HttpServerOptions): Promise<HttpServers> {
  const settings = serverSettings(options.config);
  const hosts = new HostAllowList(settings.hosts);
  const webhook = createListener(settings, hosts);
  await webhook.register(tradingViewWebhookPlugin, { prefix: '/webhooks', intake: options.intake });
  await webhook.register(probesPlugin, { health: options.health });
  if (settings.operator === undefined) {
    await webhook.register(operatorSurface(options, { host: settings.webhook.host, proxied: true }));
    return { webhook, operator: undefined };
  }
  const operator = createListener(settings, hosts);
  await operator.register(probesPlugin, {});
  await operator.register(operatorSurface(options, { host: settings.operator.host, proxied: false }));
  return { webhook, operator };
}

type ServerSettings = ReturnType<typeof serverSettings>;

function createListener(server: ServerSettings, hosts: HostAllowList): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: 1_048_576,
    // Slow or stuck clients never hold a connection for long; the webhook has its own tighter read timeout.
    requestTimeout: server.requestTimeoutMs,
    connectionTimeout: server.requestTimeoutMs,
    keepAliveTimeout: 5_000,
    trustProxy: false,
    http: {
      headersTimeout: server.headersTimeoutMs,
      requestTimeout: server.requestTimeoutMs,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    },
  });
  app.server.maxConnections = server.connectionsMax;
  app.addHook('onRequest', hosts.hook);
  return app;
}

/**
 * The dashboard, API, operations and metrics plugins behind one guard. On the webhook's own
 * listener (`proxied`) every request counts as remote once trusted proxies are configured: the proxy
 * connects from loopback too.
 */
function operatorSurface(options: HttpServerOptions, listener: { host: string; proxied: boolean }) {
  const { config } = options;
  const trustedProxies = new AddressSet(config.webhook.trustedProxies);
  const access = createAccessControl({
    host: listener.host,
    proxied: listener.proxied && trustedProxies.size > 0,
    ...accessSettings(config),
    clientAddress: (request) => {
      const peer = request.socket.remoteAddress;
      const forwarded = request.headers['x-forwarded-for'];
      return resolveClientAddress(peer, forwarded, trustedProxies) ?? unmapIpv4(peer ?? 'unknown');
    },
    clock: options.clock,
  });
  const { onAuthFailure } = options;
  if (onAuthFailure !== undefined) access.onAuthFailure(onAuthFailure);
  return async (scope: FastifyInstance) => {
    await scope.register(operatorAccessPlugin, { access, publicHosts: config.server.publicHosts });
    const { apiBulkhead } = options;
    if (apiBulkhead !== undefined)
      await scope.register(apiBulkheadPlugin, {
        bulkhead: apiBulkhead,
        prefix: '/api/',
        exempt: ['/api/events'],
      });
    await scope.register(dashboardApiPlugin, {
      prefix: '/api',
      source: options.source,
      access,
      clock: options.clock,
      logger: options.logger,
    });
    if (options.trading !== undefined)
      await scope.register(tradingApiPlugin, {
        prefix: '/api',
        source: options.trading,
        access,
        logger: options.logger,
      });
    await scope.register(dashboardPlugin, { access });
    await scope.register(operationsPlugin, {
      prefix: '/api',
      access,
      reconcile: options.reconcile,
      endStuckOrder: options.endStuckOrder,
      ...(options.cluster === undefined ? {} : { cluster: options.cluster }),
    });
    await scope.register(metricsPlugin, {
      metrics: options.metrics,
      ...(options.beforeScrape === undefined ? {} : { beforeScrape: options.beforeScrape }),
    });
  };
}
