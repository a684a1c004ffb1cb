// The trading part of the operator API: `app.register(tradingApiPlugin, { prefix: '/api', source,
// access })` in the scope guarded by operatorAccessPlugin. Positions, P&L, one order with its audit
// trail and the ledger's history to read; close and cancel to act, each recorded under the
// authenticated principal (a body naming someone is refused).
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { assertJsonDepth } from '../../core/json-depth.js';
import { type Logger, silentLogger } from '../../logging/logger.js';
import { reservedStrategyProblem } from '../../market-data/signal.js';
import type { AccessControl } from './access-control.js';
import { describeProblems, TEXT_LENGTH_MAX } from './api-schemas.js';
import { assertOperatorAccess } from './operator-access-plugin.js';
import type { TradingSource } from './trading-source.js';

export interface TradingApiPluginOptions {
  readonly source: TradingSource;
  readonly access: AccessControl;
  readonly logger?: Logger;
}

/** Bodies here are a symbol and a strategy name. */
export const TRADING_BODY_BYTES_MAX = 4_096;
export const HISTORY_LIMIT_DEFAULT = 200;
export const HISTORY_LIMIT_MAX = 10_000;

const epochMs = z.coerce.number().int().min(0).max(8_640_000_000_000_000);
const idParams = z.strictObject({ id: z.string().min(1).max(TEXT_LENGTH_MAX) });
const historyQuery = z.strictObject({
  account: z.string().regex(/^[a-z]+:[a-z0-9_]{1,32}(:[a-z]+)?$/, 'an account such as wallet:btc:available'),
  fromMs: epochMs.optional(),
  toMs: epochMs.optional(),
  limit: z.coerce.number().int().min(1).max(HISTORY_LIMIT_MAX).default(HISTORY_LIMIT_DEFAULT),
});
/** No fields: who cancels is the authenticated principal. */
const emptyBody = z.strictObject({}).optional();
const actionBody = z.strictObject({
  symbol: z.string().regex(/^[A-Z0-9]{2,20}(IRT|USDT)$/, 'a symbol such as BTCIRT'),
  strategy: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .superRefine((strategy, context) => {
      const problem = reservedStrategyProblem(strategy);
      if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
});

class InvalidRequestError extends Error {
  constructor(readonly problems: readonly string[]) {
    super('invalid request');
  }
}

export const tradingApiPlugin: FastifyPluginAsync<TradingApiPluginOptions> = async (app, options) => {
  assertOperatorAccess(app, 'tradingApiPlugin');
  const { source, access } = options;
  const logger = (options.logger ?? silentLogger).child({ component: 'trading-api' });
  const actor = (request: FastifyRequest): string => {
    const principal = access.principal(request);
    if (principal === undefined) throw new Error('request reached the API without a principal');
    return principal;
  };
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff');
  });
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    try {
      assertJsonDepth(String(body));
    } catch (error) {
      return done(Object.assign(error as Error, { statusCode: 400 }), undefined);
    }
    return parseJson(request, String(body), done);
  });
  app.setErrorHandler((error, _request, reply) => sendError(reply, error, logger));

  app.get('/positions', async () => source.positions());
  app.get('/pnl', async () => source.pnl());
  app.get('/ledger/history', async (request) => source.ledgerHistory(parse(historyQuery, request.query)));
  app.get('/orders/:id', async (request, reply) => {
    const { id } = parse(idParams, request.params);
    return (await source.order(id)) ?? reply.code(404).send({ error: 'order not found' });
  });
  app.post('/orders/:id/cancel', { bodyLimit: TRADING_BODY_BYTES_MAX }, async (request, reply) => {
    const { id } = parse(idParams, request.params);
    parse(emptyBody, request.body ?? undefined);
    return (
      (await source.cancelOrder(id, actor(request))) ?? reply.code(404).send({ error: 'order not found' })
    );
  });
  for (const action of ['close', 'cancel'] as const)
    app.post(`/positions/${action}`, { bodyLimit: TRADING_BODY_BYTES_MAX }, async (request, reply) => {
      const body = parse(actionBody, request.body);
      const queued = await source.submitAction({ action, ...body, by: actor(request) });
      return reply.code(queued.duplicate ? 200 : 202).send({ status: 'accepted', ...queued });
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
  const statusCode = (error as { statusCode?: unknown }).statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500)
    return reply.code(statusCode).send({ error: 'invalid', problems: [(error as Error).message] });
  logger.error({ err: error }, 'trading API request failed');
  return reply.code(500).send({ error: 'internal error' });
}
