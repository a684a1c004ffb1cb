// The adapter's local budgets: one key per NOBITEX_ENDPOINTS rate limit (all order placement shares
// one key), scaled by rateLimitShare; penalties from 429 answers live in the same store.
import type { Clock } from '../../core/clock.js';
import type { RateLimitStore, RateLimitWindow } from '../../core/rate-limiter/rate-limit-store.js';
import { RateLimiter } from '../../core/rate-limiter/rate-limiter.js';
import { NOBITEX_ENDPOINTS } from '../nobitex-client/endpoints.js';
import type { ResolvedAdapterOptions } from './adapter-options.js';

/** One budget per key of NOBITEX_ENDPOINTS (placement shares one), scaled by rateLimitShare. */
export function createAdapterRateLimiter(
  options: ResolvedAdapterOptions,
  clock: Clock,
  store: RateLimitStore | undefined,
): RateLimiter {
  const keys: Record<string, RateLimitWindow[]> = {};
  for (const endpoint of Object.values(NOBITEX_ENDPOINTS)) {
    const { key, limit, windowMs } = endpoint.rateLimit;
    keys[key] = [{ limit: Math.max(1, Math.floor(limit * options.rateLimitShare)), windowMs }];
  }
  return new RateLimiter({
    keys,
    clock,
    waitMaxMs: options.rateLimitWaitMaxMs,
    penaltyMaxMs: options.penaltyMaxMs,
    ...(store === undefined ? {} : { store }),
  });
}
