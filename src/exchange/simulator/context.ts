// What the route plugins share: the engine, wallets, guards, and request helpers.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../core/clock.js';
import type { Decimal } from '../../core/decimal.js';
import { type Authenticator, tooMany } from './auth.js';
import type { ChaosController } from './chaos.js';
import type { MatchingEngine } from './matching-engine.js';
import type { RateLimiter } from './rate-limits.js';
import type { MarketFeed } from './types.js';
import type { Wallets } from './wallets.js';
import type { WsTokens } from './ws/ws-tokens.js';

export interface SimContext {
  readonly engine: MatchingEngine;
  readonly wallets: Wallets;
  readonly clock: Clock;
  readonly chaos: ChaosController;
  readonly auth: Authenticator;
  readonly limiter: RateLimiter;
  readonly feeRate: Decimal;
  readonly wsTokens: WsTokens;
  /** Raw request bodies, for signatures; keyed by the Node request. */
  readonly rawBodies: WeakMap<object, string>;
  /** Paper trading on live prices: the live books orders match against. Absent: the simulated walk. */
  readonly marketFeed?: MarketFeed | undefined;
}

/** Authenticates and rate-limits; answers and returns undefined when refused. */
export function guardPrivate(
  ctx: SimContext,
  endpoint: string,
  request: FastifyRequest,
  reply: FastifyReply,
): string | undefined {
  const auth = ctx.auth.authenticate({
    headers: request.headers,
    method: request.method,
    url: request.raw.url ?? request.url,
    rawBody: ctx.rawBodies.get(request.raw) ?? '',
    ip: request.ip,
  });
  if (!auth.ok) {
    reply.code(auth.httpStatus).send(auth.body);
    return undefined;
  }
  return limited(ctx, endpoint, auth.token, reply) ? undefined : auth.token;
}

/** Public endpoints are limited per IP. Returns true when it answered 429. */
export function guardPublic(
  ctx: SimContext,
  endpoint: string,
  request: FastifyRequest,
  reply: FastifyReply,
): boolean {
  return limited(ctx, endpoint, `ip:${request.ip}`, reply);
}

function limited(ctx: SimContext, endpoint: string, key: string, reply: FastifyReply): boolean {
  const decision = ctx.limiter.check(endpoint, key);
  if (decision.allowed) return false;
  reply.code(429).send(tooMany(decision.backOffSeconds, decision.limit));
  return true;
}

/** A parameter from the body (JSON or form) or, failing that, the query string. */
export function field(request: FastifyRequest, name: string): unknown {
  const body = request.body;
  if (typeof body === 'object' && body !== null && name in body)
    return (body as Record<string, unknown>)[name];
  const query = request.query as Record<string, unknown> | undefined;
  return query?.[name];
}

/** A string parameter, or undefined. */
export function textField(request: FastifyRequest, name: string): string | undefined {
  const value = field(request, name);
  if (value === undefined || value === null) return undefined;
  return typeof value === 'object' ? String((value as { toString(): string }).toString()) : String(value);
}

export const failed = (code: string, message: string, extra: Record<string, unknown> = {}) => ({
  status: 'failed',
  code,
  message,
  ...extra,
});
