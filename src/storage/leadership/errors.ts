import { isKeelError, KeelError } from '../../core/errors.js';

/** A write was refused: this instance no longer holds the trading lease with that token. */
export class LeaseLostError extends KeelError {
  readonly code = 'KEEL_ERR_LEASE_LOST';
  constructor(
    message: string,
    readonly token: number,
  ) {
    super(message);
  }
}
export const isLeaseLostError = (e: unknown): e is LeaseLostError =>
  isKeelError(e) && e.code === 'KEEL_ERR_LEASE_LOST';
