// Per-endpoint sliding windows from the reference (7.4), keyed by token (or IP for public data).
// A key that keeps calling while backed off is blocked on every API for two minutes.
import type { Clock } from '../../core/clock.js';

export interface EndpointLimit {
  readonly limit: number;
  readonly windowMs: number;
}

const MINUTE = 60_000;
/** Documented limits; options, udf, profile and wsToken are undocumented and get generous values. */
export const ENDPOINT_LIMITS: Readonly<Record<string, EndpointLimit>> = {
  orderbook: { limit: 300, windowMs: MINUTE },
  trades: { limit: 60, windowMs: MINUTE },
  stats: { limit: 20, windowMs: MINUTE },
  udf: { limit: 300, windowMs: MINUTE },
  options: { limit: 300, windowMs: MINUTE },
  ordersAdd: { limit: 300, windowMs: 10 * MINUTE },
  ordersStatus: { limit: 300, windowMs: MINUTE },
  ordersList: { limit: 30, windowMs: MINUTE },
  ordersUpdateStatus: { limit: 90, windowMs: MINUTE },
  ordersCancelOld: { limit: 30, windowMs: MINUTE },
  tradesList: { limit: 30, windowMs: MINUTE },
  walletsList: { limit: 20, windowMs: 2 * MINUTE },
  walletsV2: { limit: 15, windowMs: MINUTE },
  profile: { limit: 60, windowMs: MINUTE },
  wsToken: { limit: 60, windowMs: MINUTE },
};

/** Requests refused while backed off before the whole key is blocked. */
export const IGNORED_REFUSALS_MAX = 20;
export const BLOCK_DURATION_MS = 2 * MINUTE;
/** Keys (token or IP × endpoint) tracked; the oldest is forgotten beyond this. */
export const RATE_KEYS_MAX = 50_000;

export type RateDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly backOffSeconds: number; readonly limit: number };

export class RateLimiter {
  readonly #windows = new Map<string, number[]>();
  readonly #refusals = new Map<string, number>();
  readonly #blockedUntilMs = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly scale: number,
  ) {
    if (!(scale > 0) || !Number.isFinite(scale))
      throw new RangeError(`rateLimitScale must be > 0, was ${scale}`);
  }

  check(endpoint: string, key: string): RateDecision {
    const spec = ENDPOINT_LIMITS[endpoint];
    if (spec === undefined) throw new RangeError(`unknown rate-limited endpoint, was ${endpoint}`);
    const nowMs = this.clock.nowMs();
    const limit = Math.max(1, Math.floor(spec.limit * this.scale));
    const blockedUntil = this.#blockedUntilMs.get(key);
    if (blockedUntil !== undefined && blockedUntil > nowMs)
      return { allowed: false, backOffSeconds: Math.ceil((blockedUntil - nowMs) / 1000), limit };
    const windowKey = `${endpoint}|${key}`;
    const stamps = this.#windows.get(windowKey) ?? [];
    while (stamps.length > 0 && (stamps[0] ?? 0) <= nowMs - spec.windowMs) stamps.shift();
    if (stamps.length >= limit) {
      const refusals = (this.#refusals.get(key) ?? 0) + 1;
      this.#refusals.set(key, refusals);
      if (refusals > IGNORED_REFUSALS_MAX) {
        this.#blockedUntilMs.set(key, nowMs + BLOCK_DURATION_MS);
        this.#refusals.delete(key);
        return { allowed: false, backOffSeconds: BLOCK_DURATION_MS / 1000, limit };
      }
      return {
        allowed: false,
        backOffSeconds: Math.max(1, Math.ceil(((stamps[0] ?? nowMs) + spec.windowMs - nowMs) / 1000)),
        limit,
      };
    }
    this.#refusals.delete(key);
    stamps.push(nowMs);
    this.#windows.delete(windowKey);
    this.#windows.set(windowKey, stamps);
    if (this.#windows.size > RATE_KEYS_MAX) {
      const oldest = this.#windows.keys().next().value;
      if (oldest !== undefined) this.#windows.delete(oldest);
    }
    return { allowed: true };
  }
}
