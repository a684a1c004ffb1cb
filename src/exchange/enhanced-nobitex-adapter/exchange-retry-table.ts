// Which failed exchange calls may be tried again, as one table per call class. A state-changing
// call is retried only when it provably had no effect (never sent, or refused by a 429).
import { isAbortedError, isCircuitOpenError, isRateLimitedError, isTimeoutError } from '../../core/errors.js';
import type { RetryClassifier } from '../../core/retry.js';
import {
  retryAfter,
  retryDecision,
  retryPolicyTable,
  rule,
  stopDecision,
} from '../../core/retry-policy-table.js';
import {
  isBusinessRejectionError,
  isExchangeAuthError,
  isExchangeNotFoundError,
  isExchangeRateLimitedError,
  isMalformedResponseError,
  isSafeToRetry,
} from '../errors.js';
import { isProvablyNotSent } from './error-classes.js';

/** The retry table of an endpoint; `idempotent` comes from NOBITEX_ENDPOINTS. */
export function exchangeRetryTable(options: { readonly idempotent: boolean }): RetryClassifier {
  const { idempotent } = options;
  return retryPolicyTable(
    [
      rule(isAbortedError, stopDecision), // the caller gave up
      rule(isCircuitOpenError, stopDecision),
      rule(isRateLimitedError, stopDecision), // the local limiter already waited as long as allowed
      rule(isExchangeRateLimitedError, (error) => retryAfter(error.backOffMs)), // budget decides
      rule(isExchangeAuthError, stopDecision), // retries count toward the IP lockout
      rule(isBusinessRejectionError, stopDecision),
      rule(isExchangeNotFoundError, stopDecision),
      rule(isMalformedResponseError, idempotent ? retryDecision : stopDecision),
      // A timeout aborts the request: unsent when it was still queued, else maybe sent.
      rule(isTimeoutError, (error) =>
        idempotent || isProvablyNotSent(error) ? retryDecision : stopDecision,
      ),
      rule((error) => isSafeToRetry(error, { idempotent }), retryDecision),
    ],
    stopDecision,
  );
}
