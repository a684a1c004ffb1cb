// The same delay on every step: for break durations and polls that must not grow.
import type { Backoff } from './backoff.js';
import { checkDelayMs } from './backoff.js';

export interface ConstantBackoffOptions {
  /** Delay of every step, ms. */
  readonly delayMs: number;
}

export class ConstantBackoff implements Backoff {
  readonly duration: number;

  constructor(options: ConstantBackoffOptions) {
    this.duration = checkDelayMs('delayMs', options.delayMs);
  }

  next(): Backoff {
    return new ConstantBackoff({ delayMs: this.duration });
  }
}
