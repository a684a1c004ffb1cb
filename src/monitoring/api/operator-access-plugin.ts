// Everything that decides whether a request may reach the operator surface (dashboard, API, metrics),
// as hooks on the scope that registers it: session cookies (@fastify/cookie), the cross-site check,
// then the access guard with its failed-login throttle (@fastify/rate-limit). Register it first in the
// scope; the dashboard and API plugins refuse to load without it.
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { AccessControl } from './access-control.js';
import { createCrossSiteGuard } from './cross-site-guard.js';

export interface OperatorAccessPluginOptions {
  readonly access: AccessControl;
  /** Names the dashboard is reached under through a proxy; their Origin counts as Keel's own. */
  readonly publicHosts?: readonly string[];
}

/** Addresses the failed-login throttle remembers at most (least recently seen forgotten first). */
export const THROTTLED_ADDRESS_COUNT_MAX = 10_000;
const DECORATOR = 'keelOperatorAccess';

export const operatorAccessPlugin = fp<OperatorAccessPluginOptions>(
  async (app, options) => {
    const { access } = options;
    await app.register(fastifyCookie, { secret: access.sessionKey, hook: 'onRequest' });
    await app.register(fastifyRateLimit, {
      global: false,
      max: access.settings.authFailuresMax,
      timeWindow: access.settings.authFailureWindowMs,
      cache: THROTTLED_ADDRESS_COUNT_MAX,
      keyGenerator: (request) => access.clientAddress(request),
    });
    access.bindLimiter(app.createRateLimit());
    app.decorate(DECORATOR, access);
    app.addHook('onRequest', createCrossSiteGuard({ publicHosts: options.publicHosts ?? [] }));
    app.addHook('onRequest', access.guard);
  },
  { name: 'keel-operator-access', fastify: '5.x' },
);

/** For the plugins of the operator surface: throws unless operatorAccessPlugin guards this scope. */
export function assertOperatorAccess(app: FastifyInstance, plugin: string): void {
  if (!app.hasDecorator(DECORATOR))
    throw new Error(`${plugin} must be registered in a scope that registered operatorAccessPlugin first`);
}
