// The rate-limit gate in front of every attempt: spends the endpoint's budget (the order placement
// key is one budget shared by every placing call), and turns a 429 into a local penalty so no
// request reaches that endpoint again before its backOff has passed.

import { neverAbortedSignal, type Policy, type PolicyContext } from '../../core/policy.js';
import { RateLimitPolicy } from '../../core/rate-limiter/rate-limit-policy.js';
import type { RateLimiter } from '../../core/rate-limiter/rate-limiter.js';
import { isExchangeRateLimitedError } from '../errors.js';

export interface EndpointGateOptions {
  readonly limiter: RateLimiter;
  /** Budget key of the endpoint (from NOBITEX_ENDPOINTS). */
  readonly key: string;
  /** Longest wait for budget, ms. */
  readonly waitMaxMs: number;
}

export class EndpointGatePolicy implements Policy {
  readonly #options: EndpointGateOptions;
  /** Spends the endpoint's budget, then runs the call. */
  readonly #budget: RateLimitPolicy;

  constructor(options: EndpointGateOptions) {
    if (options.key === '') throw new RangeError('key must not be empty');
    this.#options = options;
    this.#budget = new RateLimitPolicy({
      limiter: options.limiter,
      keys: [options.key],
      waitMaxMs: options.waitMaxMs,
    });
  }

  async execute<T>(fn: (context: PolicyContext) => Promise<T> | T, signal = neverAbortedSignal): Promise<T> {
    try {
      return await this.#budget.execute(fn, signal);
    } catch (error) {
      if (isExchangeRateLimitedError(error))
        await this.#options.limiter.penalize(this.#options.key, error.backOffMs);
      throw error;
    }
  }
}
