// The fastify plugin: `app.register(tradingViewWebhookPlugin, { prefix: '/webhooks', ... })` serves
// POST /webhooks/tradingview. Encapsulated: its body parser and error handler stay inside it.
import type { IncomingMessage } from 'node:http';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from './authenticate.js';
import { readBody } from './read-body.js';
import { type IntakeResponse, TradingViewIntake } from './tradingview-intake.js';
import type { TradingViewIntakeOptions } from './tradingview-intake-options.js';

/** Either the intake options, or an intake built beforehand (to subscribe to its events). */
export type TradingViewWebhookPluginOptions =
  | TradingViewIntakeOptions
  | { readonly intake: TradingViewIntake };

/** Every body is read as bytes whatever it was declared as. */
const BODY_CONTENT_TYPE = 'application/octet-stream';

interface RequestContext {
  readonly clientAddress: string | undefined;
  readonly mediaType: string | undefined;
  readonly receivedAtMs: number;
}

/** What onRequest learnt, carried on the request to the handler. */
const CONTEXT_PROPERTY = 'tradingViewContext';
type RequestWithContext = FastifyRequest & { [CONTEXT_PROPERTY]: RequestContext | null };

export const tradingViewWebhookPlugin: FastifyPluginAsync<TradingViewWebhookPluginOptions> = async (
  app,
  options,
) => {
  const intake = 'intake' in options ? options.intake : new TradingViewIntake(options);
  // A request decoration (declared up front, so every request keeps one shape), not a WeakMap.
  app.decorateRequest(CONTEXT_PROPERTY, null);

  // One parser for every content type: TradingView sends JSON or text/plain, senders get headers
  // wrong, and signature checks need the exact bytes.
  app.removeAllContentTypeParsers();
  const parseBody = (
    request: FastifyRequest,
    payload: IncomingMessage,
    done: (error: Error | null, body?: Buffer) => void,
  ) => {
    readBody(payload, {
      sizeBytesMax: intake.options.bodySizeBytesMax,
      timeoutMs: intake.options.readTimeoutMs,
      clock: intake.clock,
      declaredLength: request.headers['content-length'],
    }).then(
      (body) => done(null, body),
      (error: Error) => done(error, undefined),
    );
  };
  app.addContentTypeParser('*', parseBody);
  // The type onRequest sets on every request, registered by name: fastify caches a named parser by
  // the header's text, while the catch-all costs it a Content-Type parse per request.
  app.addContentTypeParser(BODY_CONTENT_TYPE, parseBody);

  // Callback style, not async: an async hook costs every request a promise and a microtask.
  app.addHook('onRequest', (request, reply, done) => {
    const admitted = intake.admit(request.socket.remoteAddress, request.headers['x-forwarded-for']);
    if ('statusCode' in admitted) {
      send(reply, admitted);
      return;
    }
    const contentType = request.headers['content-type'];
    (request as RequestWithContext)[CONTEXT_PROPERTY] = {
      clientAddress: admitted.clientAddress,
      mediaType: contentType?.split(';')[0]?.trim().toLowerCase(),
      receivedAtMs: intake.clock.nowMs(),
    };
    // A missing, odd or malformed Content-Type is read as text, never refused with 415.
    request.headers['content-type'] = BODY_CONTENT_TYPE;
    done();
  });

  app.setErrorHandler((error, request, reply) => {
    const response = intake.rejectError(error);
    // The rest of an unread body may still be on its way: close rather than wait for it.
    if (response.statusCode === 408) reply.raw.once('finish', () => request.raw.destroy());
    return send(reply.header('connection', 'close'), response);
  });

  app.post('/tradingview', async (request, reply) => {
    const context = (request as RequestWithContext)[CONTEXT_PROPERTY];
    if (context === null) throw new Error('request context missing: onRequest hook did not run');
    const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const signature = request.headers[SIGNATURE_HEADER];
    const timestamp = request.headers[TIMESTAMP_HEADER];
    const response = await intake.process({
      rawBody,
      mediaType: context.mediaType,
      signatureHeader: Array.isArray(signature) ? signature.join(',') : signature,
      timestampHeader: Array.isArray(timestamp) ? timestamp.join(',') : timestamp,
      clientAddress: context.clientAddress,
      receivedAtMs: context.receivedAtMs,
    });
    return send(reply, response);
  });
};

/** The answer as JSON text: fastify sends a string with its type set as it is, without a serializer. */
function send(reply: FastifyReply, response: IntakeResponse): FastifyReply {
  return reply
    .code(response.statusCode)
    .header('content-type', 'application/json; charset=utf-8')
    .send(JSON.stringify(response.body));
}
