// Error table of the signal intake: stable codes, a guard each. `statusCode` is what fastify answers.
import { isKeelError, KeelError } from '../core/errors.js';

/** The body grew past bodySizeBytesMax (declared or actually sent). */
export class BodyTooLargeError extends KeelError {
  readonly code = 'KEEL_ERR_BODY_TOO_LARGE';
  readonly statusCode = 413;
}
export const isBodyTooLargeError = (e: unknown): e is BodyTooLargeError =>
  isKeelError(e) && e.code === 'KEEL_ERR_BODY_TOO_LARGE';

/** The sender did not deliver the whole body within readTimeoutMs. */
export class BodyReadTimeoutError extends KeelError {
  readonly code = 'KEEL_ERR_BODY_READ_TIMEOUT';
  readonly statusCode = 408;
}
export const isBodyReadTimeoutError = (e: unknown): e is BodyReadTimeoutError =>
  isKeelError(e) && e.code === 'KEEL_ERR_BODY_READ_TIMEOUT';

/** The connection broke or errored while the body was read. */
export class BodyReadError extends KeelError {
  readonly code = 'KEEL_ERR_BODY_READ';
  readonly statusCode = 400;
}
export const isBodyReadError = (e: unknown): e is BodyReadError =>
  isKeelError(e) && e.code === 'KEEL_ERR_BODY_READ';

/** A stored signal was asked to move along an edge its state table does not have. */
export class IllegalSignalTransitionError extends KeelError {
  readonly code = 'KEEL_ERR_ILLEGAL_SIGNAL_TRANSITION';
}
export const isIllegalSignalTransitionError = (e: unknown): e is IllegalSignalTransitionError =>
  isKeelError(e) && e.code === 'KEEL_ERR_ILLEGAL_SIGNAL_TRANSITION';

/** No stored signal has the given id. */
export class SignalNotFoundError extends KeelError {
  readonly code = 'KEEL_ERR_SIGNAL_NOT_FOUND';
}
export const isSignalNotFoundError = (e: unknown): e is SignalNotFoundError =>
  isKeelError(e) && e.code === 'KEEL_ERR_SIGNAL_NOT_FOUND';
