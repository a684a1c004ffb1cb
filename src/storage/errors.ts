import { isKeelError, KeelError } from '../core/errors.js';

export class StorageError extends KeelError {
  readonly code = 'KEEL_ERR_STORAGE';
}
export const isStorageError = (e: unknown): e is StorageError =>
  isKeelError(e) && e.code === 'KEEL_ERR_STORAGE';

/** A unique or primary-key constraint was violated (the idempotency guard fired). */
export class UniqueViolationError extends KeelError {
  readonly code = 'KEEL_ERR_UNIQUE_VIOLATION';
}
export const isUniqueViolationError = (e: unknown): e is UniqueViolationError =>
  isKeelError(e) && e.code === 'KEEL_ERR_UNIQUE_VIOLATION';
