// One place that says what an error means for the adapter: provably unsent, a breaker failure,
// "the exchange is unavailable" (serve stale), and the outcome label of call events.
import { isAbortedError, isCircuitOpenError, isRateLimitedError, isTimeoutError } from '../../core/errors.js';
import {
  isRequestMaybeSentError,
  isRequestNotSentError,
  type NotSentReason,
} from '../connection-pool/errors.js';
import { classifyError, type ExchangeErrorKind, isExchangeError } from '../errors.js';

/** Not-sent reasons that say nothing about the exchange's health: our own queue or our own abort. */
const LOCAL_NOT_SENT_REASONS: ReadonlySet<NotSentReason> = new Set([
  'queueFull',
  'queueDeadline',
  'aborted',
  'closed',
]);

export type CallOutcome =
  | 'ok'
  | ExchangeErrorKind
  | 'circuitOpen'
  | 'localRateLimited'
  | 'timeout'
  | 'aborted'
  | 'unknown';

/** True when the request certainly never reached the exchange. */
export function isProvablyNotSent(error: unknown): boolean {
  if (isRequestNotSentError(error)) return true;
  if (isExchangeError(error)) return error.sent === 'no';
  if (isCircuitOpenError(error) || isRateLimitedError(error)) return true;
  if (isTimeoutError(error)) return error.cause !== undefined && isProvablyNotSent(error.cause);
  return false;
}

function notSentReason(error: unknown): NotSentReason | undefined {
  if (isRequestNotSentError(error)) return error.reason;
  if (error instanceof Error && error.cause !== undefined) return notSentReason(error.cause);
  return undefined;
}

/** Evidence that the exchange (or the path to it) is sick: what the circuit breakers count. */
export function isBreakerFailure(error: unknown): boolean {
  if (isTimeoutError(error)) return true;
  if (isRequestMaybeSentError(error)) return true;
  const kind = classifyError(error);
  if (kind === 'ambiguous' || kind === 'malformedResponse') return true;
  // A refused credential: every further private call counts toward Nobitex's IP block (100 in 30 min),
  // so the breaker must open and keep calls to a trickle of probes.
  if (kind === 'auth') return true;
  if (kind !== 'transient') return false; // rejections, 404, 429 and our own bugs are not
  const reason = notSentReason(error);
  return reason === undefined || !LOCAL_NOT_SENT_REASONS.has(reason);
}

/** The source cannot answer now: a cached value may be served, marked stale. */
export function isExchangeUnavailable(error: unknown): boolean {
  if (isCircuitOpenError(error) || isRateLimitedError(error) || isTimeoutError(error)) return true;
  const kind = classifyError(error);
  return kind === 'transient' || kind === 'ambiguous' || kind === 'rateLimited';
}

export function callOutcomeOf(error: unknown): CallOutcome {
  if (isCircuitOpenError(error)) return 'circuitOpen';
  if (isRateLimitedError(error)) return 'localRateLimited';
  if (isTimeoutError(error)) return 'timeout';
  if (isAbortedError(error)) return 'aborted';
  return classifyError(error);
}
