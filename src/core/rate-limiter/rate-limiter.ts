// Weighted budgets per key with several sliding windows each; one acquire spends on several
// keys at once (all or nothing), waits on the injected clock, and honours server back-offs.
import { type Clock, systemClock } from '../clock.js';
import { AbortedError, RateLimitedError } from '../errors.js';
import { EventEmitter } from '../events.js';
import { usedInWindow } from './decide-grant.js';
import { MemoryRateLimitStore } from './memory-rate-limit-store.js';
import type { RateLimitKeySpec, RateLimitStore, RateLimitWindow } from './rate-limit-store.js';

export interface RateLimiterOptions {
  /** Windows per key, e.g. `{ 'orders.add': [{ limit: 300, windowMs: 600_000 }, { limit: 20, windowMs: 10_000 }] }`. */
  keys: Readonly<Record<string, readonly RateLimitWindow[]>>;
  /** Windows for keys missing from `keys`; without it an unknown key is a RangeError. */
  keysDefault?: readonly RateLimitWindow[];
  /** Where budgets live; default a MemoryRateLimitStore with keysMax. */
  store?: RateLimitStore;
  /** Most keys the default store (and the snapshot) track; default 1_000. */
  keysMax?: number;
  /** Longest an acquire waits when it names no deadline, ms; default 60_000. */
  waitMaxMs?: number;
  /** Most acquires waiting at once; more are rejected with RateLimitedError; default 1_000. */
  waitersMax?: number;
  /** Longest penalty accepted; longer back-offs are cut to it, ms; default 3_600_000. */
  penaltyMaxMs?: number;
  /** Time source; default systemClock. */
  clock?: Clock;
}

export interface RateLimitAcquireOptions {
  readonly keys: readonly string[];
  /** Weight spent on each key; a positive integer; default 1. */
  readonly weight?: number;
}

export interface RateLimitWaitOptions extends RateLimitAcquireOptions {
  /** Give up unless granted by this instant, epoch ms. */
  readonly deadlineAtMs?: number;
  /** Give up unless granted within this long, ms; default the limiter's waitMaxMs. */
  readonly waitMaxMs?: number;
  readonly signal?: AbortSignal;
}

export type RateLimitAttempt =
  | { readonly granted: true }
  | { readonly granted: false; readonly retryAfterMs: number };

export interface RateLimitWindowSnapshot extends RateLimitWindow {
  readonly used: number;
  readonly remaining: number;
}

export interface RateLimitKeySnapshot {
  readonly key: string;
  readonly penaltyUntilMs: number;
  readonly windows: readonly RateLimitWindowSnapshot[];
}

export interface RateLimitGrantEvent {
  readonly keys: readonly string[];
  readonly weight: number;
  readonly waitedMs: number;
}
export interface RateLimitWaitEvent {
  readonly keys: readonly string[];
  readonly weight: number;
  readonly retryAfterMs: number;
  readonly blockingKey: string;
}
export interface RateLimitRejectEvent extends RateLimitWaitEvent {
  readonly reason: 'budget' | 'penalty' | 'deadline' | 'waitersFull';
}
export interface RateLimitPenaltyEvent {
  readonly key: string;
  readonly requestedMs: number;
  readonly backOffMs: number;
  readonly untilMs: number;
}

export const RATE_LIMITER_DEFAULTS = {
  keysMax: 1_000,
  waitMaxMs: 60_000,
  waitersMax: 1_000,
  penaltyMaxMs: 3_600_000,
} as const;

export class RateLimiter {
  readonly #specs = new Map<string, RateLimitKeySpec>();
  /** Keys met at run time under keysDefault, oldest first; at most keysMax. */
  readonly #dynamicSpecs = new Map<string, RateLimitKeySpec>();
  readonly #keysDefault: readonly RateLimitWindow[] | undefined;
  readonly #store: RateLimitStore;
  readonly #keysMax: number;
  readonly #waitMaxMs: number;
  readonly #waitersMax: number;
  readonly #penaltyMaxMs: number;
  readonly #clock: Clock;
  #waiters = 0;
  #lastNowMs = 0;
  readonly #grantEmitter = new EventEmitter<RateLimitGrantEvent>();
  readonly #waitEmitter = new EventEmitter<RateLimitWaitEvent>();
  readonly #rejectEmitter = new EventEmitter<RateLimitRejectEvent>();
  readonly #penaltyEmitter = new EventEmitter<RateLimitPenaltyEvent>();

  readonly onGrant = this.#grantEmitter.addListener;
  readonly onWait = this.#waitEmitter.addListener;
  readonly onReject = this.#rejectEmitter.addListener;
  readonly onPenalty = this.#penaltyEmitter.addListener;

  constructor(options: RateLimiterOptions) {
    this.#keysMax = positiveInteger('keysMax', options.keysMax ?? RATE_LIMITER_DEFAULTS.keysMax);
    this.#waitMaxMs = nonNegative('waitMaxMs', options.waitMaxMs ?? RATE_LIMITER_DEFAULTS.waitMaxMs);
    this.#waitersMax = positiveInteger('waitersMax', options.waitersMax ?? RATE_LIMITER_DEFAULTS.waitersMax);
    this.#penaltyMaxMs = nonNegative(
      'penaltyMaxMs',
      options.penaltyMaxMs ?? RATE_LIMITER_DEFAULTS.penaltyMaxMs,
    );
    const entries = Object.entries(options.keys);
    if (entries.length > this.#keysMax)
      throw new RangeError(`keys must hold at most keysMax ${this.#keysMax} keys, was ${entries.length}`);
    for (const [key, windows] of entries) this.#specs.set(key, { key, windows: validWindows(key, windows) });
    this.#keysDefault = options.keysDefault && validWindows('keysDefault', options.keysDefault);
    this.#store = options.store ?? new MemoryRateLimitStore({ keysMax: this.#keysMax });
    this.#clock = options.clock ?? systemClock;
  }

  /** Grants at once or says how long to wait; never waits. */
  async tryAcquire(options: RateLimitAcquireOptions): Promise<RateLimitAttempt> {
    const { specs, weight } = this.#request(options);
    const decision = await this.#store.acquire({ keys: specs, weight, nowMs: this.#now() });
    if (decision.granted) {
      this.#grantEmitter.emit({ keys: options.keys, weight, waitedMs: 0 });
      return decision;
    }
    const { retryAfterMs, blockingKey, reason } = decision;
    this.#rejectEmitter.emit({ keys: options.keys, weight, retryAfterMs, blockingKey, reason });
    return { granted: false, retryAfterMs };
  }

  /**
   * Waits until granted. Rejects with RateLimitedError at once when the expected wait would
   * pass the deadline, rather than wait and fail; with AbortedError when the signal aborts.
   */
  async acquire(options: RateLimitWaitOptions): Promise<void> {
    const { specs, weight } = this.#request(options);
    const startMs = this.#now();
    const deadlineAtMs = Math.min(
      options.deadlineAtMs ?? Number.POSITIVE_INFINITY,
      startMs + nonNegative('waitMaxMs', options.waitMaxMs ?? this.#waitMaxMs),
    );
    const { keys, signal } = options;
    for (;;) {
      if (signal?.aborted)
        throw new AbortedError('aborted while waiting for a rate limit', { cause: signal.reason });
      const nowMs = this.#now();
      const decision = await this.#store.acquire({ keys: specs, weight, nowMs });
      if (decision.granted) {
        this.#grantEmitter.emit({ keys, weight, waitedMs: nowMs - startMs });
        return;
      }
      const { retryAfterMs, blockingKey } = decision;
      const reason =
        nowMs + retryAfterMs > deadlineAtMs
          ? 'deadline'
          : this.#waiters >= this.#waitersMax
            ? 'waitersFull'
            : undefined;
      if (reason !== undefined) {
        this.#rejectEmitter.emit({ keys, weight, retryAfterMs, blockingKey, reason });
        const detail =
          reason === 'deadline'
            ? `would pass the deadline by ${nowMs + retryAfterMs - deadlineAtMs} ms`
            : `waitersMax ${this.#waitersMax} reached`;
        throw new RateLimitedError(
          `rate limited on '${blockingKey}' for ${retryAfterMs} ms: ${detail}`,
          retryAfterMs,
        );
      }
      this.#waitEmitter.emit({ keys, weight, retryAfterMs, blockingKey });
      this.#waiters++;
      try {
        await this.#clock.sleep(retryAfterMs, signal);
      } finally {
        this.#waiters--;
      }
    }
  }

  /** The server said "back off": no grant on `key` for backOffMs (cut to penaltyMaxMs). */
  async penalize(key: string, backOffMs: number): Promise<void> {
    this.#spec(key);
    const requestedMs = nonNegative('backOffMs', backOffMs);
    const appliedMs = Math.min(requestedMs, this.#penaltyMaxMs);
    const nowMs = this.#now();
    const untilMs = nowMs + appliedMs;
    await this.#store.penalize({ key, untilMs, nowMs });
    this.#penaltyEmitter.emit({ key, requestedMs, backOffMs: appliedMs, untilMs });
  }

  /** Per key, per window: weight used in the window ending now, what remains, and the penalty. */
  async snapshot(): Promise<RateLimitKeySnapshot[]> {
    const nowMs = this.#now();
    const specs = [...this.#specs.values(), ...this.#dynamicSpecs.values()];
    const states = await this.#store.read(specs, nowMs);
    return specs.map((spec) => {
      const state = states.get(spec.key);
      const log = state?.log ?? [];
      return {
        key: spec.key,
        penaltyUntilMs: state?.penaltyUntilMs ?? 0,
        windows: spec.windows.map((window) => {
          const used = usedInWindow(log, window.windowMs, nowMs);
          return { ...window, used, remaining: Math.max(0, window.limit - used) };
        }),
      };
    });
  }

  /** The last request validated, by identity: a policy spends on the same keys every call. */
  #lastKeys: readonly string[] | undefined;
  #lastRequest: { specs: RateLimitKeySpec[]; weight: number } | undefined;

  #request(options: RateLimitAcquireOptions): { specs: RateLimitKeySpec[]; weight: number } {
    const weight = options.weight ?? 1;
    if (options.keys === this.#lastKeys && weight === this.#lastRequest?.weight) return this.#lastRequest;
    const request = this.#validate(options);
    // Only configured keys: a dynamic key must pass #spec each call to stay in the snapshot.
    const cacheable = Object.isFrozen(options.keys) && options.keys.every((key) => this.#specs.has(key));
    this.#lastKeys = cacheable ? options.keys : undefined;
    this.#lastRequest = request;
    return request;
  }

  #validate(options: RateLimitAcquireOptions): { specs: RateLimitKeySpec[]; weight: number } {
    if (options.keys.length === 0) throw new RangeError('keys must name at least one key, was []');
    if (new Set(options.keys).size !== options.keys.length)
      throw new RangeError(`keys must be distinct, was ${JSON.stringify(options.keys)}`);
    const weight = positiveInteger('weight', options.weight ?? 1);
    const specs = options.keys.map((key) => this.#spec(key));
    for (const spec of specs)
      for (const window of spec.windows)
        if (weight > window.limit)
          throw new RangeError(`weight must fit the limit ${window.limit} of '${spec.key}', was ${weight}`);
    return { specs, weight };
  }

  #spec(key: string): RateLimitKeySpec {
    const known = this.#specs.get(key) ?? this.#dynamicSpecs.get(key);
    if (known !== undefined) return known;
    if (this.#keysDefault === undefined) throw new RangeError(`unknown rate limit key, was '${key}'`);
    // The oldest dynamic key leaves the snapshot first; its budget stays in the store.
    if (this.#dynamicSpecs.size >= this.#keysMax) {
      const oldest = this.#dynamicSpecs.keys().next();
      if (!oldest.done) this.#dynamicSpecs.delete(oldest.value);
    }
    const spec = { key, windows: this.#keysDefault };
    this.#dynamicSpecs.set(key, spec);
    return spec;
  }

  /** Never runs backwards, so a wall-clock jump back cannot reopen a spent window. */
  #now(): number {
    this.#lastNowMs = Math.max(this.#lastNowMs, this.#clock.nowMs());
    return this.#lastNowMs;
  }
}

function validWindows(key: string, windows: readonly RateLimitWindow[]): RateLimitWindow[] {
  if (windows.length === 0) throw new RangeError(`windows of '${key}' must not be empty, was []`);
  return windows.map((window) => {
    positiveInteger(`limit of '${key}'`, window.limit);
    if (!Number.isSafeInteger(window.windowMs) || window.windowMs < 1)
      throw new RangeError(`windowMs of '${key}' must be a positive integer, was ${window.windowMs}`);
    return { limit: window.limit, windowMs: window.windowMs };
  });
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new RangeError(`${name} must be a positive integer, was ${value}`);
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`${name} must be finite and >= 0, was ${value}`);
  return value;
}
