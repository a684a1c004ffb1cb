// The exchange error taxonomy: one table, one class per kind, stable codes and guards.
// `sent` says whether the request may have reached Nobitex: it is how Keel avoids duplicate orders.
import { isKeelError, KeelError } from '../core/errors.js';
import { isRequestMaybeSentError, isRequestNotSentError } from './connection-pool/errors.js';

export type ExchangeErrorKind =
  | 'rateLimited'
  | 'auth'
  | 'businessRejection'
  | 'transient'
  | 'ambiguous'
  | 'notFound'
  | 'malformedResponse';

/** 'no': never left this process; 'yes': Nobitex answered; 'maybe': written, outcome unknown. */
export type SentState = 'no' | 'yes' | 'maybe';

/** When a retry cannot create a second effect: always, only for idempotent calls, or never. */
export type RetrySafety = 'always' | 'ifIdempotent' | 'never';

/** The table. A retry after rateLimited must wait backOffMs; the retry policy honours it. */
export const EXCHANGE_ERRORS = {
  rateLimited: { code: 'KEEL_ERR_EXCHANGE_RATE_LIMITED', retry: 'always' }, // rejected before any effect
  auth: { code: 'KEEL_ERR_EXCHANGE_AUTH', retry: 'never' }, // retries count toward the 100/30 min IP lockout
  businessRejection: { code: 'KEEL_ERR_EXCHANGE_BUSINESS_REJECTION', retry: 'never' },
  transient: { code: 'KEEL_ERR_EXCHANGE_TRANSIENT', retry: 'ifIdempotent' }, // 'always' when sent === 'no'
  ambiguous: { code: 'KEEL_ERR_EXCHANGE_AMBIGUOUS', retry: 'ifIdempotent' }, // orders: verify, never resend
  notFound: { code: 'KEEL_ERR_EXCHANGE_NOT_FOUND', retry: 'never' },
  malformedResponse: { code: 'KEEL_ERR_EXCHANGE_MALFORMED_RESPONSE', retry: 'ifIdempotent' }, // a POST may have acted
} as const satisfies Record<ExchangeErrorKind, { code: string; retry: RetrySafety }>;

export interface ExchangeErrorContext {
  /** `METHOD /path` without the query, e.g. `POST /market/orders/add`. */
  readonly endpoint: string;
  /** HTTP status when an answer arrived. */
  readonly httpStatus?: number;
  readonly cause?: unknown;
}

export abstract class ExchangeError extends KeelError {
  abstract readonly kind: ExchangeErrorKind;
  abstract readonly sent: SentState;
  readonly endpoint: string;
  readonly httpStatus: number | undefined;

  constructor(message: string, context: ExchangeErrorContext) {
    super(`${context.endpoint}: ${message}`, { cause: context.cause });
    this.endpoint = context.endpoint;
    this.httpStatus = context.httpStatus;
  }
}

export class ExchangeRateLimitedError extends ExchangeError {
  readonly code = EXCHANGE_ERRORS.rateLimited.code;
  readonly kind = 'rateLimited';
  readonly sent = 'yes';
  readonly backOffMs: number;
  readonly limit: number | null;
  constructor(
    message: string,
    context: ExchangeErrorContext & {
      /** Wait before calling this endpoint again, ms (from `backOff`, Retry-After or the fallback). */
      readonly backOffMs: number;
      /** Current allowed count in the window, when Nobitex said (`limit`). */
      readonly limit: number | null;
    },
  ) {
    super(message, context);
    this.backOffMs = context.backOffMs;
    this.limit = context.limit;
  }
}

export class ExchangeAuthError extends ExchangeError {
  readonly code = EXCHANGE_ERRORS.auth.code;
  readonly kind = 'auth';
  readonly sent = 'yes';
}

export class BusinessRejectionError extends ExchangeError {
  readonly code = EXCHANGE_ERRORS.businessRejection.code;
  readonly kind = 'businessRejection';
  readonly sent = 'yes';
  /** Nobitex's `code` (`SmallOrder`, `OverValueOrder`, …), or `HTTP_<status>` when none was given. */
  readonly exchangeCode: string;
  readonly clientOrderId: string | null;
  constructor(
    message: string,
    context: ExchangeErrorContext & { readonly exchangeCode: string; readonly clientOrderId?: string | null },
  ) {
    super(message, context);
    this.exchangeCode = context.exchangeCode;
    this.clientOrderId = context.clientOrderId ?? null;
  }
}

export class ExchangeTransientError extends ExchangeError {
  readonly code = EXCHANGE_ERRORS.transient.code;
  readonly kind = 'transient';
  readonly sent: 'no' | 'yes';
  constructor(message: string, context: ExchangeErrorContext & { readonly sent: 'no' | 'yes' }) {
    super(message, context);
    this.sent = context.sent;
  }
}

export class ExchangeAmbiguousError extends ExchangeError {
  readonly code = EXCHANGE_ERRORS.ambiguous.code;
  readonly kind = 'ambiguous';
  readonly sent = 'maybe';
}

export class ExchangeNotFoundError extends ExchangeError {
  readonly code = EXCHANGE_ERRORS.notFound.code;
  readonly kind = 'notFound';
  readonly sent = 'yes';
}

export class MalformedResponseError extends ExchangeError {
  readonly code = EXCHANGE_ERRORS.malformedResponse.code;
  readonly kind = 'malformedResponse';
  readonly sent = 'yes';
  /** Dotted path of the offending field (`order.amount`), or `(body)` when the JSON did not parse. */
  readonly field: string;
  constructor(message: string, context: ExchangeErrorContext & { readonly field: string }) {
    super(`malformed response at ${context.field}: ${message}`, context);
    this.field = context.field;
  }
}

const hasCode = (e: unknown, code: string): boolean => isKeelError(e) && e.code === code;
export const isExchangeError = (e: unknown): e is ExchangeError =>
  isKeelError(e) && Object.values(EXCHANGE_ERRORS).some((entry) => entry.code === e.code);
export const isExchangeRateLimitedError = (e: unknown): e is ExchangeRateLimitedError =>
  hasCode(e, EXCHANGE_ERRORS.rateLimited.code);
export const isExchangeAuthError = (e: unknown): e is ExchangeAuthError =>
  hasCode(e, EXCHANGE_ERRORS.auth.code);
export const isBusinessRejectionError = (e: unknown): e is BusinessRejectionError =>
  hasCode(e, EXCHANGE_ERRORS.businessRejection.code);
export const isExchangeTransientError = (e: unknown): e is ExchangeTransientError =>
  hasCode(e, EXCHANGE_ERRORS.transient.code);
export const isExchangeAmbiguousError = (e: unknown): e is ExchangeAmbiguousError =>
  hasCode(e, EXCHANGE_ERRORS.ambiguous.code);
export const isExchangeNotFoundError = (e: unknown): e is ExchangeNotFoundError =>
  hasCode(e, EXCHANGE_ERRORS.notFound.code);
export const isMalformedResponseError = (e: unknown): e is MalformedResponseError =>
  hasCode(e, EXCHANGE_ERRORS.malformedResponse.code);

/**
 * The kind of any error thrown by the client or a transport, or 'unknown' (a bug or an abort
 * from the caller). Transport errors map by what reached the wire.
 */
export function classifyError(error: unknown): ExchangeErrorKind | 'unknown' {
  if (isExchangeError(error)) return error.kind;
  if (isRequestNotSentError(error)) return 'transient';
  if (isRequestMaybeSentError(error)) return 'ambiguous';
  return 'unknown';
}

/** True when sending the same request again cannot create a second effect on the exchange. */
export function isSafeToRetry(error: unknown, options: { readonly idempotent: boolean }): boolean {
  if (isRequestNotSentError(error)) return true;
  if (isRequestMaybeSentError(error)) return options.idempotent;
  if (!isExchangeError(error)) return false;
  if (error.sent === 'no') return true;
  const retry: RetrySafety = EXCHANGE_ERRORS[error.kind].retry;
  if (retry === 'always') return true;
  return retry === 'ifIdempotent' && options.idempotent;
}

/**
 * Maps a transport failure to the taxonomy: never-sent → Transient('no'); maybe-sent → Ambiguous.
 * Anything else (a bug, a caller abort after sending) is rethrown unchanged by the caller.
 */
export function fromTransportError(error: unknown, endpoint: string): ExchangeError | undefined {
  if (isRequestNotSentError(error))
    return new ExchangeTransientError(`not sent (${error.reason}): ${error.message}`, {
      endpoint,
      sent: 'no',
      cause: error,
    });
  if (isRequestMaybeSentError(error))
    return new ExchangeAmbiguousError(`outcome unknown (${error.reason}): ${error.message}`, {
      endpoint,
      cause: error,
    });
  return undefined;
}
