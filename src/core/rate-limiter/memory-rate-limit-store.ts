// Rate budgets for one process. Bounded: at most keysMax keys, and each log holds at most the
// largest limit of its key's windows (every grant weighs at least 1 and the log is pruned).
// Each key's grants live in a GrantLog, so a decision is O(1) amortized (decideGrant is the model).
import { GrantLog } from './grant-log.js';
import type {
  RateLimitDecision,
  RateLimitKeySpec,
  RateLimitKeyState,
  RateLimitPenalty,
  RateLimitRequest,
  RateLimitStore,
} from './rate-limit-store.js';

export interface MemoryRateLimitStoreOptions {
  /** Most keys held at once; idle keys are dropped to make room; default 1_000. */
  keysMax?: number;
}

export const MEMORY_RATE_LIMIT_STORE_DEFAULTS = { keysMax: 1_000 } as const;

interface Entry {
  /** Undefined until the key's first grant (a penalty alone needs no log). */
  log: GrantLog | undefined;
  penaltyUntilMs: number;
}

export class MemoryRateLimitStore implements RateLimitStore {
  readonly #keysMax: number;
  readonly #entries = new Map<string, Entry>();

  constructor(options: MemoryRateLimitStoreOptions = {}) {
    const keysMax = options.keysMax ?? MEMORY_RATE_LIMIT_STORE_DEFAULTS.keysMax;
    if (!Number.isSafeInteger(keysMax) || keysMax < 1)
      throw new RangeError(`keysMax must be a positive integer, was ${keysMax}`);
    this.#keysMax = keysMax;
  }

  get size(): number {
    return this.#entries.size;
  }

  async acquire(request: RateLimitRequest): Promise<RateLimitDecision> {
    return this.acquireNow(request);
  }

  /** acquire without the promise, for callers on the hot path. */
  acquireNow(request: RateLimitRequest): RateLimitDecision {
    const { keys, weight, nowMs } = request;
    let waitMs = 0;
    let blockingKey = '';
    let reason: 'budget' | 'penalty' = 'budget';
    for (const spec of keys) {
      const entry = this.#entries.get(spec.key);
      if (entry === undefined) continue;
      const penaltyMs = entry.penaltyUntilMs - nowMs;
      if (penaltyMs > 0 && penaltyMs > waitMs) {
        waitMs = penaltyMs;
        blockingKey = spec.key;
        reason = 'penalty';
      }
      const windowWaitMs = this.#logOf(entry, spec, nowMs).waitMs(spec.windows, weight, nowMs);
      if (windowWaitMs > waitMs) {
        waitMs = windowWaitMs;
        blockingKey = spec.key;
        reason = 'budget';
      }
    }
    if (waitMs > 0) return { granted: false, retryAfterMs: waitMs, blockingKey, reason };
    // Make room first, so a full store refuses before any key is charged (all or nothing).
    for (const spec of keys) this.#entryFor(spec.key, nowMs);
    for (const spec of keys) {
      const log = this.#logOf(this.#entryFor(spec.key, nowMs), spec, nowMs);
      log.append(nowMs, weight);
    }
    return GRANTED;
  }

  async penalize(penalty: RateLimitPenalty): Promise<void> {
    const entry = this.#entryFor(penalty.key, penalty.nowMs);
    entry.penaltyUntilMs = Math.max(entry.penaltyUntilMs, penalty.untilMs);
  }

  async read(
    keys: readonly RateLimitKeySpec[],
    nowMs: number,
  ): Promise<ReadonlyMap<string, RateLimitKeyState>> {
    const states = new Map<string, RateLimitKeyState>();
    for (const spec of keys) {
      const entry = this.#entries.get(spec.key);
      if (entry === undefined) continue;
      const log = entry.log === undefined ? [] : this.#logOf(entry, spec, nowMs).grants(nowMs);
      states.set(spec.key, { log, penaltyUntilMs: entry.penaltyUntilMs });
    }
    return states;
  }

  /** The entry's log for these windows; rebuilt from its grants when the window lengths changed. */
  #logOf(entry: Entry, spec: RateLimitKeySpec, nowMs: number): GrantLog {
    const current = entry.log;
    if (current?.measures(spec.windows)) return current;
    const log = new GrantLog(spec.windows);
    for (const grant of current?.grants(nowMs) ?? []) log.append(grant.atMs, grant.weight);
    entry.log = log;
    return log;
  }

  #entryFor(key: string, nowMs: number): Entry {
    const existing = this.#entries.get(key);
    if (existing !== undefined) return existing;
    if (this.#entries.size >= this.#keysMax) this.#dropIdle(nowMs);
    if (this.#entries.size >= this.#keysMax)
      throw new RangeError(
        `rate limit store is full: keysMax ${this.#keysMax} keys hold live budgets, key '${key}' refused`,
      );
    const entry: Entry = { log: undefined, penaltyUntilMs: 0 };
    this.#entries.set(key, entry);
    return entry;
  }

  /** Dropping an idle key loses nothing: its grants can no longer count in any window. */
  #dropIdle(nowMs: number): void {
    for (const [key, entry] of this.#entries)
      if (Math.max(entry.penaltyUntilMs, entry.log?.idleAtMs ?? 0) <= nowMs) this.#entries.delete(key);
  }
}

const GRANTED: RateLimitDecision = { granted: true };
