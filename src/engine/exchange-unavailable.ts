// Errors that mean "the exchange cannot be asked right now": a signal waits them out instead of
// burning its processing attempts (those are for faults in the signal or in Keel).
import { isBulkheadRejectedError } from '../core/errors.js';
import { isExchangeUnavailable as adapterSaysUnavailable } from '../exchange/enhanced-nobitex-adapter/error-classes.js';

export function isExchangeUnavailable(error: unknown): boolean {
  return adapterSaysUnavailable(error) || isBulkheadRejectedError(error);
}
