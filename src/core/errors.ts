// Every Keel error carries a stable `code` and a brand, so guards work across module copies.
const brand = Symbol.for('keel.error');

export abstract class KeelError extends Error {
  abstract readonly code: string;
  readonly [brand] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export const isKeelError = (error: unknown): error is KeelError =>
  typeof error === 'object' && error !== null && (error as { [brand]?: unknown })[brand] === true;

export class CircuitOpenError extends KeelError {
  readonly code = 'KEEL_ERR_CIRCUIT_OPEN';
  constructor(
    message: string,
    /** When the breaker will let a probe through, epoch ms; undefined when isolated by hand. */
    readonly retryAtMs?: number,
  ) {
    super(message);
  }
}
export const isCircuitOpenError = (e: unknown): e is CircuitOpenError =>
  isKeelError(e) && e.code === 'KEEL_ERR_CIRCUIT_OPEN';

export class TimeoutError extends KeelError {
  readonly code = 'KEEL_ERR_TIMEOUT';
}
export const isTimeoutError = (e: unknown): e is TimeoutError =>
  isKeelError(e) && e.code === 'KEEL_ERR_TIMEOUT';

export class BulkheadRejectedError extends KeelError {
  readonly code = 'KEEL_ERR_BULKHEAD_REJECTED';
  constructor(
    message: string,
    /**
     * Why: every queue place taken, the call waited longer than allowed, or (overflow 'dropOldest')
     * it was the oldest waiting call when a newer one came.
     */
    readonly reason: 'queueFull' | 'queueWaitTimeout' | 'queueOverflow' = 'queueFull',
  ) {
    super(message);
  }
}
export const isBulkheadRejectedError = (e: unknown): e is BulkheadRejectedError =>
  isKeelError(e) && e.code === 'KEEL_ERR_BULKHEAD_REJECTED';

export class RateLimitedError extends KeelError {
  readonly code = 'KEEL_ERR_RATE_LIMITED';
  constructor(
    message: string,
    /** How long until a token is expected, ms. */
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}
export const isRateLimitedError = (e: unknown): e is RateLimitedError =>
  isKeelError(e) && e.code === 'KEEL_ERR_RATE_LIMITED';

export class AbortedError extends KeelError {
  readonly code = 'KEEL_ERR_ABORTED';
}
export const isAbortedError = (e: unknown): e is AbortedError =>
  isKeelError(e) && e.code === 'KEEL_ERR_ABORTED';

export class DecimalParseError extends KeelError {
  readonly code = 'KEEL_ERR_DECIMAL_PARSE';
}
export const isDecimalParseError = (e: unknown): e is DecimalParseError =>
  isKeelError(e) && e.code === 'KEEL_ERR_DECIMAL_PARSE';

export class JsonTooDeepError extends KeelError {
  readonly code = 'KEEL_ERR_JSON_TOO_DEEP';
}
export const isJsonTooDeepError = (e: unknown): e is JsonTooDeepError =>
  isKeelError(e) && e.code === 'KEEL_ERR_JSON_TOO_DEEP';
