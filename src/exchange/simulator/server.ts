// The fastify app: body parsers that keep the raw body (for signatures), the chaos layer as hooks,
// and the route plugins. Chaos runs first, like the network in front of the real exchange.
import type { IncomingMessage } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { parseJsonLossless } from '../../core/decimal.js';
import type { Logger } from '../../logging/logger.js';
import { tooMany } from './auth.js';
import type { TerminalFault } from './chaos.js';
import type { SimContext } from './context.js';
import { dropConnection, type HangRegistry } from './hang-registry.js';
import { accountRoutes } from './routes/account.js';
import { chaosRoutes } from './routes/chaos.js';
import { marketDataRoutes } from './routes/market-data.js';
import { orderRoutes } from './routes/orders.js';
import type { GroundTruthOrder } from './types.js';

/** Request bodies above this are refused (413). */
export const BODY_SIZE_BYTES_MAX = 64 * 1024;

export interface AppParts {
  readonly ctx: SimContext;
  readonly hangs: HangRegistry;
  readonly logger: Logger;
  readonly groundTruth: () => GroundTruthOrder[];
}

export function buildApp(parts: AppParts): FastifyInstance {
  const { ctx, hangs } = parts;
  const app = Fastify({ logger: false, bodyLimit: BODY_SIZE_BYTES_MAX, forceCloseConnections: true });
  const commitFaults = new WeakMap<IncomingMessage, CommitFault>();
  addBodyParsers(app, ctx.rawBodies);

  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (path.startsWith('/_chaos')) return;
    const faults = ctx.chaos.forRequest(request.method, path);
    if (faults.latencyMs > 0) await ctx.clock.sleep(faults.latencyMs);
    const fault = faults.terminal;
    if (fault === undefined) return;
    if (fault.kind === 'commitThenFail' || fault.kind === 'proxyReject') {
      commitFaults.set(request.raw, fault);
      return;
    }
    return answerFault(fault, request, reply, hangs);
  });

  // The ambiguous case: the handler ran (the order is placed), then the answer is lost.
  app.addHook('onSend', async (request, reply, payload) => {
    const fault = commitFaults.get(request.raw);
    if (fault === undefined) return payload;
    commitFaults.delete(request.raw);
    if (fault.kind === 'proxyReject') {
      reply.code(fault.status).type(fault.body === 'json' ? 'application/json' : 'text/html');
      return fault.body === 'json' ? PROXY_JSON : errorPage(fault.status);
    }
    if (fault.failWith === 'error') {
      reply.code(fault.status).type('text/html');
      return errorPage(fault.status);
    }
    if (fault.failWith === 'reset') {
      dropConnection(request, reply);
      return payload;
    }
    await hangs.hold(request, reply);
    return payload;
  });

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) parts.logger.error({ err: error, url: request.url }, 'simulator route failed');
    return reply.code(status).send({ detail: status >= 500 ? 'Internal Server Error' : error.message });
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ detail: 'Not found.' }));

  app.register(chaosRoutes(ctx.chaos, parts.groundTruth));
  app.register(marketDataRoutes(ctx));
  app.register(orderRoutes(ctx));
  app.register(accountRoutes(ctx));
  return app;
}

function answerFault(
  fault: TerminalFault,
  request: FastifyRequest,
  reply: FastifyReply,
  hangs: HangRegistry,
) {
  switch (fault.kind) {
    case 'error':
      return reply.code(fault.status).type('text/html').send(errorPage(fault.status));
    case 'outage':
      if (fault.mode === '503') return reply.code(503).type('text/html').send(errorPage(503));
      return resetSocket(request, reply);
    case 'reset':
      return resetSocket(request, reply);
    case 'hang':
      reply.hijack();
      void hangs.hold(request, reply);
      return reply;
    case 'rateLimitStorm':
      return reply.code(429).send(tooMany(fault.backOffSeconds, fault.limit));
    case 'authFailure':
      // DRF's answer to a bad token (reference §2.1: "توکن غیر مجاز است." = "Invalid token.").
      return reply.code(401).send({ detail: 'توکن غیر مجاز است.' });
    case 'commitThenFail':
    case 'proxyReject':
      return undefined;
  }
}

function resetSocket(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  reply.hijack();
  dropConnection(request, reply);
  return reply;
}

type CommitFault = Extract<TerminalFault, { kind: 'commitThenFail' | 'proxyReject' }>;

/** What a gateway in front of the exchange may say in JSON: not Nobitex's failure shape. */
const PROXY_JSON = '{"error":"Bad Request","message":"request rejected by the gateway"}';

export const errorPage = (status: number): string =>
  `<html><head><title>${status}</title></head><body><center><h1>${status}</h1></center><hr><center>nginx</center></body></html>`;

function addBodyParsers(app: FastifyInstance, rawBodies: WeakMap<object, string>): void {
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = String(body);
    rawBodies.set(request.raw, text);
    if (text.trim() === '') return done(null, {});
    try {
      // The control endpoint takes plain JSON (probabilities are floats); money bodies never do.
      done(null, request.url.startsWith('/_chaos') ? JSON.parse(text) : parseJsonLossless(text));
    } catch (error) {
      done(
        Object.assign(new Error(`JSON parse error - ${(error as Error).message}`), { statusCode: 400 }),
        undefined,
      );
    }
  });
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (request, body, done) => {
      const text = String(body);
      rawBodies.set(request.raw, text);
      done(null, Object.fromEntries(new URLSearchParams(text)));
    },
  );
}
