// A backoff is an immutable step: `duration` is this step's delay, `next()` the following step.
// Policies keep the configured backoff as the step *before* the first wait and call `next()` for
// each wait, so every execution draws fresh jitter instead of reusing the first delay.
export interface Backoff {
  /** Delay of this step, ms. */
  readonly duration: number;
  /** The following step; never mutates this one. */
  next(): Backoff;
}

export { ConstantBackoff, type ConstantBackoffOptions } from './constant-backoff.js';
export {
  DecorrelatedJitterBackoff,
  type DecorrelatedJitterBackoffOptions,
} from './decorrelated-jitter-backoff.js';
export { ExponentialBackoff, type ExponentialBackoffOptions } from './exponential-backoff.js';

/** Validates a delay option once: finite and non-negative. */
export function checkDelayMs(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`${name} must be a finite number >= 0, was ${value}`);
  return value;
}
