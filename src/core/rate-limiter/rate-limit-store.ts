// Where rate budgets live. In memory for one process; a shared store (Redis) lets several
// instances spend one budget. Every store decides with the same pure `decideGrant`.

/** At most `limit` weight may be granted within any interval of `windowMs`. */
export interface RateLimitWindow {
  readonly limit: number;
  readonly windowMs: number;
}

/** A key and the windows that bound it, e.g. 'orders.add' with a 10 min and a 10 s window. */
export interface RateLimitKeySpec {
  readonly key: string;
  readonly windows: readonly RateLimitWindow[];
}

/** One past grant on a key: when, and how much weight. */
export interface RateLimitGrant {
  readonly atMs: number;
  readonly weight: number;
}

/** What a store holds per key: the grant log (oldest first) and the penalty box. */
export interface RateLimitKeyState {
  readonly log: readonly RateLimitGrant[];
  /** No grant on this key before this instant, epoch ms; 0 when not penalized. */
  readonly penaltyUntilMs: number;
}

export interface RateLimitRequest {
  readonly keys: readonly RateLimitKeySpec[];
  /** Weight taken from every key at once; a positive integer. */
  readonly weight: number;
  readonly nowMs: number;
}

export interface RateLimitPenalty {
  readonly key: string;
  readonly untilMs: number;
  readonly nowMs: number;
}

export type RateLimitDecision =
  | { readonly granted: true }
  | {
      readonly granted: false;
      /** Wait until every key can take the weight, assuming no other grant in between, ms. */
      readonly retryAfterMs: number;
      /** The key that needs the longest wait. */
      readonly blockingKey: string;
      readonly reason: 'budget' | 'penalty';
    };

export interface RateLimitStore {
  /** Reads the keys' state, decides with `decideGrant` and records the grant on every key: one atomic step. */
  acquire(request: RateLimitRequest): Promise<RateLimitDecision>;
  /** No grant on `key` before `untilMs`; a shorter penalty never cuts a longer one. */
  penalize(request: RateLimitPenalty): Promise<void>;
  /** Current state of the keys (logs pruned to their longest window). */
  read(keys: readonly RateLimitKeySpec[], nowMs: number): Promise<ReadonlyMap<string, RateLimitKeyState>>;
}
