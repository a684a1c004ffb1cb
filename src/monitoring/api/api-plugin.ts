// The dashboard's JSON API: `app.register(dashboardApiPlugin, { prefix: '/api', source, access })`, in a
// scope guarded by operatorAccessPlugin. Its error and not-found handlers apply to /api only. Every
// change is recorded under the authenticated principal; a request body never names who acted.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { isKeelError } from '../../core/errors.js';
import { assertJsonDepth } from '../../core/json-depth.js';
import { type Logger, silentLogger } from '../../logging/logger.js';
import type { AccessControl } from './access-control.js';
import {
  alertActionSchema,
  alertParamsSchema,
  alertQuerySchema,
  describeProblems,
  engineModeSchema,
  listQuerySchema,
} from './api-schemas.js';
import { EventStream, type EventStreamOptions } from './event-stream.js';
import { assertOperatorAccess } from './operator-access-plugin.js';
import type { StatusSource } from './status-source.js';

export interface DashboardApiPluginOptions {
  readonly source: StatusSource;
  /** The one operatorAccessPlugin guards this scope with; it names who acted. */
  readonly access: AccessControl;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Limits of the server-sent event stream (heartbeat, per-client buffer, clients). */
  readonly stream?: Omit<EventStreamOptions, 'events' | 'clock' | 'logger'>;
  /** Called with the stream once it exists, to watch its clients (tests, metrics). */
  readonly onStream?: (stream: EventStream) => void;
}

/** Request bodies here are a few fields; anything bigger is not ours. */
export const API_BODY_BYTES_MAX = 16_384;

class InvalidRequestError extends Error {
  constructor(readonly problems: readonly string[]) {
    super('invalid request');
  }
}

export const dashboardApiPlugin: FastifyPluginAsync<DashboardApiPluginOptions> = async (app, options) => {
  assertOperatorAccess(app, 'dashboardApiPlugin');
  const { source, access } = options;
  const actor = (request: FastifyRequest): string => {
    const principal = access.principal(request);
    if (principal === undefined) throw new Error('request reached the API without a principal');
    return principal;
  };
  const logger = (options.logger ?? silentLogger).child({ component: 'dashboard-api' });
  const stream = new EventStream({ ...options.stream, events: source.events, clock: options.clock, logger });
  options.onStream?.(stream);

  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff');
  });
  // Streams must end before the server can close: it waits for open connections.
  app.addHook('preClose', async () => stream.close());
  // fastify's own parser (prototype poisoning refused), after a depth check it cannot overflow on.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    try {
      assertJsonDepth(String(body));
    } catch (error) {
      return done(Object.assign(error as Error, { statusCode: 400 }), undefined);
    }
    return parseJson(request, String(body), done);
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not found' }));
  app.setErrorHandler((error, _request, reply) => sendError(reply, error, logger));

  app.get('/status', async () => source.status());
  app.get('/timeseries', async () => source.timeseries());
  app.get('/ledger', async () => source.ledger());
  app.get('/orders', async (request) => source.orders(parse(listQuerySchema, request.query)));
  app.get('/signals', async (request) => source.signals(parse(listQuerySchema, request.query)));
  app.get('/alerts', async (request) => source.alerts(parse(alertQuerySchema, request.query)));

  // Login: the guard has checked the bearer token or basic auth; this turns it into a session cookie.
  app.post('/session', { bodyLimit: API_BODY_BYTES_MAX }, async (request, reply) => {
    access.startSession(request, reply);
    return { principal: actor(request) };
  });
  app.delete('/session', async (_request, reply) => {
    access.endSession(reply);
    return reply.code(204).send();
  });

  const alertAction = (action: 'ack' | 'resolve') =>
    app.post('/alerts/:id/' + action, { bodyLimit: API_BODY_BYTES_MAX }, async (request, reply) => {
      const { id } = parse(alertParamsSchema, request.params);
      parse(alertActionSchema, request.body ?? undefined);
      const by = actor(request);
      const alert =
        action === 'ack' ? await source.acknowledgeAlert(id, by) : await source.resolveAlert(id, by);
      if (alert === undefined) return reply.code(404).send({ error: 'alert not found' });
      return alert;
    });
  alertAction('ack');
  alertAction('resolve');

  app.post('/engine/mode', { bodyLimit: API_BODY_BYTES_MAX }, async (request) => {
    const body = parse(engineModeSchema, request.body);
    return source.setEngineMode(body.mode, actor(request), body.reason);
  });

  app.get('/events', async (request, reply) => {
    if (stream.full)
      return reply.code(503).header('retry-after', '5').send({ error: 'too many event streams' });
    const snapshot = await source.status();
    // Closed while the snapshot was read: nothing to attach.
    if (request.raw.destroyed) return reply;
    reply.hijack();
    stream.attach(reply.raw, { type: 'status', data: snapshot });
    return reply;
  });
};

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new InvalidRequestError(describeProblems(result.error));
  return result.data;
}

function sendError(reply: FastifyReply, error: unknown, logger: Logger): FastifyReply {
  if (error instanceof InvalidRequestError)
    return reply.code(400).send({ error: 'invalid', problems: error.problems });
  if (isKeelError(error) && error.code === 'KEEL_ERR_MODE_CHANGE_REFUSED')
    return reply.code(409).send({ error: 'mode change refused', reason: error.message });
  const statusCode = (error as { statusCode?: unknown }).statusCode;
  // Fastify's own client errors: malformed JSON, wrong content type, body too large.
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500)
    return reply.code(statusCode).send({ error: 'invalid', problems: [(error as Error).message] });
  logger.error({ err: error }, 'dashboard API request failed');
  return reply.code(500).send({ error: 'internal error' });
}
