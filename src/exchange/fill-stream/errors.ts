// Errors of the fill stream, each with a stable code and a guard.
import { isKeelError, KeelError } from '../../core/errors.js';

/** A pushed payload Keel cannot read. */
export class PushPayloadError extends KeelError {
  readonly code = 'KEEL_ERR_PUSH_PAYLOAD';
}
export const isPushPayloadError = (e: unknown): e is PushPayloadError =>
  isKeelError(e) && e.code === 'KEEL_ERR_PUSH_PAYLOAD';
