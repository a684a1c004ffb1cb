// Errors that mean "the exchange cannot be asked right now": a signal waits them out instead of
// burning its processing attempts (those are for faults in the signal or in Keel).
import {
  isBulkheadRejectedError,
  isCircuitOpenError,
  isNoHealthyTargetError,
  isRateLimitedError,
  isTimeoutError,
} from '../core/errors.js';
import { classifyError } from '../exchange/errors.js';

export function isExchangeUnavailable(error: unknown): boolean {
  if (isCircuitOpenError(error) || isRateLimitedError(error) || isTimeoutError(error)) return true;
  if (isBulkheadRejectedError(error) || isNoHealthyTargetError(error)) return true;
  const kind = classifyError(error);
  return kind === 'rateLimited' || kind === 'transient' || kind === 'ambiguous';
}
