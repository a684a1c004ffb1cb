// Errors of the position folder: one table, each with a stable code and a guard.
import { isKeelError, KeelError } from '../core/errors.js';

/** A posting draft or a domain operation was given invalid input (bad account, unbalanced, bad amount). */
export class InvalidPostingError extends KeelError {
  readonly code = 'KEEL_ERR_INVALID_POSTING';
}
export const isInvalidPostingError = (e: unknown): e is InvalidPostingError =>
  isKeelError(e) && e.code === 'KEEL_ERR_INVALID_POSTING';

/** An idempotency key was reused for a posting of a different kind: two operations collided. */
export class IdempotencyConflictError extends KeelError {
  readonly code = 'KEEL_ERR_IDEMPOTENCY_CONFLICT';
}
export const isIdempotencyConflictError = (e: unknown): e is IdempotencyConflictError =>
  isKeelError(e) && e.code === 'KEEL_ERR_IDEMPOTENCY_CONFLICT';

/** A reconciliation run id that does not exist, or has nothing to acknowledge. */
export class ReconciliationRunNotFoundError extends KeelError {
  readonly code = 'KEEL_ERR_RECONCILIATION_RUN_NOT_FOUND';
}
export const isReconciliationRunNotFoundError = (e: unknown): e is ReconciliationRunNotFoundError =>
  isKeelError(e) && e.code === 'KEEL_ERR_RECONCILIATION_RUN_NOT_FOUND';

/** The ledger kept moving while the exchange was read, so no consistent snapshot could be compared. */
export class SnapshotTornError extends KeelError {
  readonly code = 'KEEL_ERR_SNAPSHOT_TORN';
}
export const isSnapshotTornError = (e: unknown): e is SnapshotTornError =>
  isKeelError(e) && e.code === 'KEEL_ERR_SNAPSHOT_TORN';
