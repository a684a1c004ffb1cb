// Builds a fastify app with the dashboard and its API over a FakeStatusSource, as the app will wire them.
import Fastify, { type FastifyInstance } from 'fastify';
import { FakeClock } from '../../src/core/clock.js';
import {
  type AccessControl,
  type AccessControlOptions,
  createAccessControl,
} from '../../src/monitoring/api/access-control.js';
import { type DashboardApiPluginOptions, dashboardApiPlugin } from '../../src/monitoring/api/api-plugin.js';
import type { EventStream } from '../../src/monitoring/api/event-stream.js';
import { operatorAccessPlugin } from '../../src/monitoring/api/operator-access-plugin.js';
import { tradingApiPlugin } from '../../src/monitoring/api/trading-api-plugin.js';
import { dashboardPlugin } from '../../src/monitoring/dashboard/dashboard-plugin.js';
import { FakeStatusSource } from '../support/fake-status-source.js';
import { FakeTradingSource } from '../support/fake-trading-source.js';

export interface DashboardFixture {
  readonly app: FastifyInstance;
  readonly source: FakeStatusSource;
  readonly trading: FakeTradingSource;
  readonly clock: FakeClock;
  readonly access: AccessControl;
  /** Set once the API plugin is ready. */
  stream: EventStream | undefined;
}

export async function createDashboardApp(
  options: {
    access?: AccessControlOptions;
    stream?: DashboardApiPluginOptions['stream'];
    clock?: FakeClock;
    /** Real clock for browser tests, where EventSource and fetch run on their own time. */
    source?: FakeStatusSource;
    /** Names whose Origin counts as the dashboard's own. */
    publicHosts?: readonly string[];
  } = {},
): Promise<DashboardFixture> {
  const clock = options.clock ?? new FakeClock();
  const source = options.source ?? new FakeStatusSource(clock);
  const access = createAccessControl({ clock, ...(options.access ?? { host: '127.0.0.1' }) });
  const app = Fastify({ logger: false });
  const trading = new FakeTradingSource();
  const fixture: DashboardFixture = { app, source, trading, clock, access, stream: undefined };
  // One encapsulated scope, as the app has it: the guard never reaches the webhook.
  await app.register(async (scope) => {
    await scope.register(operatorAccessPlugin, { access, publicHosts: options.publicHosts ?? [] });
    await scope.register(dashboardApiPlugin, {
      prefix: '/api',
      source,
      access,
      clock,
      stream: options.stream,
      onStream: (stream) => {
        fixture.stream = stream;
      },
    });
    await scope.register(tradingApiPlugin, { prefix: '/api', source: trading, access });
    await scope.register(dashboardPlugin, { access });
  });
  // Stands in for the webhook, which has its own auth and must stay outside the dashboard's guard.
  app.post('/webhooks/tradingview', async () => ({ ok: true }));
  await app.ready();
  return fixture;
}
