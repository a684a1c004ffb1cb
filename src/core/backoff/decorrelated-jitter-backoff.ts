// AWS "decorrelated jitter": wait = min(delayMaxMs, uniform(delayInitialMs, previous * 3)). Each
// wait depends on the previous one rather than on the step number, which spreads retries well.
import { type Rng, systemRng } from '../random.js';
import type { Backoff } from './backoff.js';
import { checkDelayMs } from './backoff.js';

export interface DecorrelatedJitterBackoffOptions {
  /** Smallest wait and the seed of the growth, ms. Default 128. */
  readonly delayInitialMs?: number;
  /** Upper bound of any wait, ms. Default 30_000. */
  readonly delayMaxMs?: number;
  /** Source of jitter. Default a system-seeded Rng. */
  readonly rng?: Rng;
}

const defaults = { delayInitialMs: 128, delayMaxMs: 30_000 } as const;
/** AWS uses three times the previous wait as the upper end of the next one. */
const GROWTH = 3;

interface Settings {
  readonly delayInitialMs: number;
  readonly delayMaxMs: number;
  readonly rng: Rng;
}

/** The configured backoff: duration 0 (no wait before the first attempt); `next()` gives wait 1. */
export class DecorrelatedJitterBackoff implements Backoff {
  readonly duration = 0;
  readonly #settings: Settings;

  constructor(options: DecorrelatedJitterBackoffOptions = {}) {
    const delayInitialMs = checkDelayMs('delayInitialMs', options.delayInitialMs ?? defaults.delayInitialMs);
    const delayMaxMs = checkDelayMs('delayMaxMs', options.delayMaxMs ?? defaults.delayMaxMs);
    if (delayMaxMs < delayInitialMs)
      throw new RangeError(`delayMaxMs must be >= delayInitialMs (${delayInitialMs}), was ${delayMaxMs}`);
    this.#settings = { delayInitialMs, delayMaxMs, rng: options.rng ?? systemRng() };
  }

  next(): Backoff {
    return new DecorrelatedStep(this.#settings, this.#settings.delayInitialMs);
  }
}

class DecorrelatedStep implements Backoff {
  readonly duration: number;

  constructor(
    readonly settings: Settings,
    previousMs: number,
  ) {
    const lowMs = settings.delayInitialMs;
    const highMs = Math.max(lowMs, previousMs * GROWTH);
    const drawnMs = Math.floor(lowMs + settings.rng.next() * (highMs - lowMs));
    this.duration = Math.min(settings.delayMaxMs, drawnMs);
  }

  next(): Backoff {
    return new DecorrelatedStep(this.settings, this.duration);
  }
}
