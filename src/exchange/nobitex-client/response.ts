// Turns an HTTP answer into a JSON body or a typed error from the taxonomy (reference 7.1–7.3).
import type { z } from 'zod';
import { parseDecimal, parseJsonLosslessFast } from '../../core/decimal.js';
import type { TransportResponse } from '../connection-pool/transport.js';
import {
  BusinessRejectionError,
  ExchangeAmbiguousError,
  ExchangeAuthError,
  ExchangeNotFoundError,
  ExchangeRateLimitedError,
  ExchangeTransientError,
  MalformedResponseError,
} from '../errors.js';

export interface ResponseContext {
  /** `POST /market/orders/add`. */
  readonly endpoint: string;
  readonly idempotent: boolean;
  readonly nowMs: number;
  /** Used when a rate-limit answer names no wait, ms. */
  readonly rateLimitFallbackBackOffMs: number;
}

const MESSAGE_LENGTH_MAX = 200;

/** Returns the parsed JSON of a 2xx answer; throws the taxonomy error for anything else. */
export function readResponse(response: TransportResponse, context: ResponseContext): unknown {
  const { statusCode } = response;
  const body = tryParse(response.bodyText);
  if (statusCode >= 200 && statusCode < 300 && body !== PARSE_FAILED) return body; // the common answer
  const base = { endpoint: context.endpoint, httpStatus: statusCode };
  const detail = describe(body, response.bodyText);
  if (statusCode === 429 || (statusCode === 403 && looksRateLimited(body, response.headers))) {
    // A placing call is refused before any effect only when Nobitex itself says so (its JSON body).
    if (context.idempotent || isNobitexRateLimit(body)) return throwRateLimited(response, body, context);
    throw new ExchangeAmbiguousError(`HTTP ${statusCode} not from Nobitex: ${detail}`, base);
  }
  if (statusCode === 401 || statusCode === 403)
    throw new ExchangeAuthError(`HTTP ${statusCode}: ${detail}`, base);
  if (statusCode === 404) throw new ExchangeNotFoundError(`HTTP 404: ${detail}`, base);
  if (statusCode >= 500) {
    // For a state-changing call a 5xx is no proof that nothing happened.
    if (!context.idempotent) throw new ExchangeAmbiguousError(`HTTP ${statusCode}: ${detail}`, base);
    throw new ExchangeTransientError(`HTTP ${statusCode}: ${detail}`, { ...base, sent: 'yes' });
  }
  if (statusCode < 200 || statusCode >= 300) {
    // A proxy's 4xx (HTML, or JSON without Nobitex's failure shape) says nothing about a placing call:
    // the request may have been forwarded and the order placed. Only Nobitex's own failure body refuses.
    if (!context.idempotent && !isNobitexFailure(body))
      throw new ExchangeAmbiguousError(`HTTP ${statusCode} not from Nobitex: ${detail}`, base);
    const exchangeCode = stringField(body, 'code') ?? `HTTP_${statusCode}`;
    throw new BusinessRejectionError(`HTTP ${statusCode} ${exchangeCode}: ${detail}`, {
      ...base,
      exchangeCode,
    });
  }
  // A 2xx whose body is not JSON.
  throw new MalformedResponseError(`not JSON: ${JSON.stringify(response.bodyText.slice(0, 80))}`, {
    ...base,
    field: '(body)',
  });
}

/** Throws BusinessRejectionError when the body is `status: "failed"`. */
export function throwIfFailed(
  body: unknown,
  context: Pick<ResponseContext, 'endpoint' | 'rateLimitFallbackBackOffMs'>,
): void {
  if (stringField(body, 'status') !== 'failed') return;
  const exchangeCode = stringField(body, 'code');
  // Nobitex's failure body always names a code; without one it is not an answer Keel can act on.
  if (exchangeCode === undefined)
    throw new MalformedResponseError('status failed without a code', {
      endpoint: context.endpoint,
      httpStatus: 200,
      field: 'code',
    });
  const message = (stringField(body, 'message') ?? '').slice(0, MESSAGE_LENGTH_MAX);
  // Legacy endpoints may say "too many requests" with HTTP 200.
  if (exchangeCode === 'TooManyRequests') {
    const backOffMs = secondsToMs(field(body, 'backOff')) ?? context.rateLimitFallbackBackOffMs;
    const limit = limitField(body);
    throw new ExchangeRateLimitedError(`HTTP 200 rate limited, back off ${backOffMs} ms: ${message}`, {
      endpoint: context.endpoint,
      httpStatus: 200,
      backOffMs,
      limit,
    });
  }
  throw new BusinessRejectionError(`${exchangeCode}: ${message}`, {
    endpoint: context.endpoint,
    httpStatus: 200,
    exchangeCode,
    clientOrderId: stringField(body, 'clientOrderId') ?? null,
  });
}

/** Validates a body; the first issue names the field. */
export function parseBody<S extends z.ZodType>(
  schema: S,
  body: unknown,
  context: Pick<ResponseContext, 'endpoint'> & { readonly fieldPrefix?: string },
): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [...(context.fieldPrefix === undefined ? [] : [context.fieldPrefix]), ...(issue?.path ?? [])];
  const field = path.length === 0 ? '(root)' : path.map(String).join('.');
  throw new MalformedResponseError(issue?.message ?? 'schema mismatch', {
    endpoint: context.endpoint,
    httpStatus: 200,
    field,
  });
}

function throwRateLimited(response: TransportResponse, body: unknown, context: ResponseContext): never {
  const backOffMs =
    secondsToMs(field(body, 'backOff')) ??
    retryAfterMs(response.headers['retry-after'], context.nowMs) ??
    context.rateLimitFallbackBackOffMs;
  const limit = limitField(body);
  throw new ExchangeRateLimitedError(
    `HTTP ${response.statusCode} rate limited, back off ${backOffMs} ms: ${describe(body, response.bodyText)}`,
    { endpoint: context.endpoint, httpStatus: response.statusCode, backOffMs, limit },
  );
}

function limitField(body: unknown): number | null {
  const value = field(body, 'limit');
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : null;
}

/** Nobitex's documented failure answer: `status: "failed"` with a `code` (reference 7.1). */
const isNobitexFailure = (body: unknown): boolean =>
  stringField(body, 'status') === 'failed' && (stringField(body, 'code') ?? '') !== '';

/** Nobitex's own rate-limit answer, as opposed to a proxy's 429 page. */
const isNobitexRateLimit = (body: unknown): boolean =>
  stringField(body, 'code') === 'TooManyRequests' || field(body, 'backOff') !== undefined;

function looksRateLimited(body: unknown, headers: Readonly<Record<string, string>>): boolean {
  return (
    stringField(body, 'code') === 'TooManyRequests' ||
    field(body, 'backOff') !== undefined ||
    'retry-after' in headers
  );
}

function secondsToMs(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  try {
    const seconds = parseDecimal(value, 'backOff');
    return seconds.isNegative() ? undefined : seconds.times(1000).ceil().toNumber();
  } catch {
    return undefined;
  }
}

/** Retry-After is delta-seconds or an HTTP date. */
function retryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const atMs = Date.parse(value);
  return Number.isFinite(atMs) ? Math.max(0, atMs - nowMs) : undefined;
}

const PARSE_FAILED = Symbol('parse failed');

function tryParse(text: string): unknown {
  try {
    return parseJsonLosslessFast(text);
  } catch {
    return PARSE_FAILED;
  }
}

const field = (body: unknown, name: string): unknown =>
  typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;

const stringField = (body: unknown, name: string): string | undefined => {
  const value = field(body, name);
  return typeof value === 'string' ? value : undefined;
};

/** The server's own words (DRF `detail`, `message`, `code`), truncated; never our request headers. */
function describe(body: unknown, text: string): string {
  const words = stringField(body, 'detail') ?? stringField(body, 'message') ?? stringField(body, 'code');
  return (words ?? text.replace(/\s+/g, ' ')).slice(0, MESSAGE_LENGTH_MAX) || '(empty body)';
}
