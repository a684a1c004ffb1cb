// The rate limiter as a Policy, so it composes with wrap(): acquire first, then run.
import { neverAbortedSignal, type Policy, type PolicyContext } from '../policy.js';
import type { RateLimiter } from './rate-limiter.js';

export interface RateLimitPolicyOptions {
  readonly limiter: RateLimiter;
  /** Keys every call spends on, all or nothing, e.g. ['orders.add', 'orders.placement']. */
  readonly keys: readonly string[];
  /** Weight per call; default 1. */
  readonly weight?: number;
  /** Longest a call waits for budget, ms; default the limiter's waitMaxMs. */
  readonly waitMaxMs?: number;
}

export class RateLimitPolicy implements Policy {
  readonly #options: RateLimitPolicyOptions;

  constructor(options: RateLimitPolicyOptions) {
    if (options.keys.length === 0) throw new RangeError('keys must name at least one key, was []');
    const weight = options.weight ?? 1;
    if (!Number.isSafeInteger(weight) || weight < 1)
      throw new RangeError(`weight must be a positive integer, was ${weight}`);
    const { waitMaxMs } = options;
    if (waitMaxMs !== undefined && (!Number.isFinite(waitMaxMs) || waitMaxMs < 0))
      throw new RangeError(`waitMaxMs must be finite and >= 0, was ${waitMaxMs}`);
    // Frozen, so the limiter may reuse its validation of these keys on every call.
    this.#options = { ...options, keys: Object.freeze([...options.keys]), weight };
  }

  async execute<T>(fn: (context: PolicyContext) => Promise<T> | T, signal = neverAbortedSignal): Promise<T> {
    const { limiter, keys, weight, waitMaxMs } = this.#options;
    await limiter.acquire({ keys, weight, signal, ...(waitMaxMs === undefined ? {} : { waitMaxMs }) });
    return fn({ signal });
  }
}
