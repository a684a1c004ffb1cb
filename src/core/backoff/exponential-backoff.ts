// Exponential growth with full jitter (AWS "Exponential Backoff And Jitter"): wait n is uniform in
// [0, min(delayMaxMs, delayInitialMs * exponent^(n-1))], so clients that failed together spread out.
import { type Rng, systemRng } from '../random.js';
import type { Backoff } from './backoff.js';
import { checkDelayMs } from './backoff.js';

export interface ExponentialBackoffOptions {
  /** Upper bound of the first wait, ms. Default 128. */
  readonly delayInitialMs?: number;
  /** Upper bound of any wait, ms. Default 30_000. */
  readonly delayMaxMs?: number;
  /** Growth factor per step, >= 1. Default 2. */
  readonly exponent?: number;
  /** Source of jitter. Default a system-seeded Rng. */
  readonly rng?: Rng;
}

const defaults = { delayInitialMs: 128, delayMaxMs: 30_000, exponent: 2 } as const;

interface Settings {
  readonly delayInitialMs: number;
  readonly delayMaxMs: number;
  readonly exponent: number;
  readonly rng: Rng;
}

/** The configured backoff: duration 0 (no wait before the first attempt); `next()` gives wait 1. */
export class ExponentialBackoff implements Backoff {
  readonly duration = 0;
  readonly #settings: Settings;

  constructor(options: ExponentialBackoffOptions = {}) {
    const delayInitialMs = checkDelayMs('delayInitialMs', options.delayInitialMs ?? defaults.delayInitialMs);
    const delayMaxMs = checkDelayMs('delayMaxMs', options.delayMaxMs ?? defaults.delayMaxMs);
    const exponent = options.exponent ?? defaults.exponent;
    if (delayMaxMs < delayInitialMs)
      throw new RangeError(`delayMaxMs must be >= delayInitialMs (${delayInitialMs}), was ${delayMaxMs}`);
    if (!Number.isFinite(exponent) || exponent < 1)
      throw new RangeError(`exponent must be a finite number >= 1, was ${exponent}`);
    this.#settings = { delayInitialMs, delayMaxMs, exponent, rng: options.rng ?? systemRng() };
  }

  next(): Backoff {
    return new ExponentialStep(this.#settings, 1);
  }
}

class ExponentialStep implements Backoff {
  readonly duration: number;

  constructor(
    readonly settings: Settings,
    readonly step: number,
  ) {
    // Math.min absorbs Infinity once the power overflows.
    const ceilingMs = Math.min(
      settings.delayMaxMs,
      settings.delayInitialMs * settings.exponent ** (step - 1),
    );
    this.duration = Math.min(ceilingMs, Math.floor(settings.rng.next() * (ceilingMs + 1)));
  }

  next(): Backoff {
    return new ExponentialStep(this.settings, this.step + 1);
  }
}
