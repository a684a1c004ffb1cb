// The break of a circuit: fixed, or doubling on each re-open up to a ceiling. No jitter: a break
// is a promise to the exchange, and a jittered break could end almost at once.
import type { Backoff } from '../../core/backoff/backoff.js';

export interface GrowingBreakBackoffOptions {
  /** The first break, ms. */
  readonly delayInitialMs: number;
  /** The longest break, ms; equal to delayInitialMs for a fixed break. */
  readonly delayMaxMs: number;
}

/** The configured backoff: duration 0; `next()` gives the first break. */
export class GrowingBreakBackoff implements Backoff {
  readonly duration = 0;
  readonly #options: GrowingBreakBackoffOptions;

  constructor(options: GrowingBreakBackoffOptions) {
    if (!(Number.isFinite(options.delayInitialMs) && options.delayInitialMs > 0))
      throw new RangeError(`delayInitialMs must be a positive finite number, was ${options.delayInitialMs}`);
    if (!(Number.isFinite(options.delayMaxMs) && options.delayMaxMs >= options.delayInitialMs))
      throw new RangeError(
        `delayMaxMs must be finite and >= delayInitialMs ${options.delayInitialMs}, was ${options.delayMaxMs}`,
      );
    this.#options = options;
  }

  next(): Backoff {
    return new BreakStep(this.#options, this.#options.delayInitialMs);
  }
}

class BreakStep implements Backoff {
  constructor(
    readonly options: GrowingBreakBackoffOptions,
    readonly duration: number,
  ) {}

  next(): Backoff {
    return new BreakStep(this.options, Math.min(this.options.delayMaxMs, this.duration * 2));
  }
}
