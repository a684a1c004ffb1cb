// Rate budgets for one process. Bounded: at most keysMax keys, and each log holds at most the
// largest limit of its key's windows (every grant weighs at least 1 and the log is pruned).
import { assert } from '../assert.js';
import { decideGrant, pruneLog } from './decide-grant.js';
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
  log: RateLimitKeyState['log'];
  penaltyUntilMs: number;
  /** After this instant the entry holds nothing that matters: every grant expired, no penalty. */
  idleAtMs: number;
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
    const states = this.#readSync(request.keys, request.nowMs);
    const decision = decideGrant(request, states);
    if (!decision.granted) return decision;
    // Make room first, so a full store refuses before any key is charged (all or nothing).
    for (const spec of request.keys) this.#entryFor(spec.key, request.nowMs);
    for (const spec of request.keys) {
      const entry = this.#entryFor(spec.key, request.nowMs);
      const horizonMs = Math.max(...spec.windows.map((window) => window.windowMs));
      entry.log = [...(states.get(spec.key)?.log ?? []), { atMs: request.nowMs, weight: request.weight }];
      entry.idleAtMs = Math.max(entry.penaltyUntilMs, request.nowMs + horizonMs);
      const largestLimit = Math.max(...spec.windows.map((window) => window.limit));
      assert(
        entry.log.length <= largestLimit,
        `log of ${spec.key} exceeds its largest limit ${largestLimit}`,
      );
    }
    return decision;
  }

  async penalize(penalty: RateLimitPenalty): Promise<void> {
    const entry = this.#entryFor(penalty.key, penalty.nowMs);
    entry.penaltyUntilMs = Math.max(entry.penaltyUntilMs, penalty.untilMs);
    entry.idleAtMs = Math.max(entry.idleAtMs, entry.penaltyUntilMs);
  }

  async read(
    keys: readonly RateLimitKeySpec[],
    nowMs: number,
  ): Promise<ReadonlyMap<string, RateLimitKeyState>> {
    return this.#readSync(keys, nowMs);
  }

  #readSync(keys: readonly RateLimitKeySpec[], nowMs: number): Map<string, RateLimitKeyState> {
    const states = new Map<string, RateLimitKeyState>();
    for (const spec of keys) {
      const entry = this.#entries.get(spec.key);
      if (entry === undefined) continue;
      entry.log = pruneLog(entry.log, spec.windows, nowMs);
      states.set(spec.key, { log: entry.log, penaltyUntilMs: entry.penaltyUntilMs });
    }
    return states;
  }

  #entryFor(key: string, nowMs: number): Entry {
    const existing = this.#entries.get(key);
    if (existing !== undefined) return existing;
    if (this.#entries.size >= this.#keysMax) this.#dropIdle(nowMs);
    if (this.#entries.size >= this.#keysMax)
      throw new RangeError(
        `rate limit store is full: keysMax ${this.#keysMax} keys hold live budgets, key '${key}' refused`,
      );
    const entry: Entry = { log: [], penaltyUntilMs: 0, idleAtMs: 0 };
    this.#entries.set(key, entry);
    return entry;
  }

  /** Dropping an idle key loses nothing: its grants can no longer count in any window. */
  #dropIdle(nowMs: number): void {
    for (const [key, entry] of this.#entries) if (entry.idleAtMs <= nowMs) this.#entries.delete(key);
  }
}
