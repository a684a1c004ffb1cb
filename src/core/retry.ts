// Retry with a finite attempt count and a total time budget. Which errors are retried, and how long
// to wait, is decided per error by `classify` (see retry-policy-table.ts); waits honour the signal.
import type { Backoff } from './backoff/backoff.js';
import { ExponentialBackoff } from './backoff/exponential-backoff.js';
import { type Clock, systemClock } from './clock.js';
import { AbortedError, isAbortedError } from './errors.js';
import { EventEmitter } from './events.js';
import { neverAbortedSignal, type Policy, type PolicyContext } from './policy.js';
import { type Rng, systemRng } from './random.js';

export type RetryDecision =
  | { readonly kind: 'retry' }
  | { readonly kind: 'stop' }
  /** Wait what the server asked for (e.g. a 429 `backOff`) instead of the backoff step. */
  | { readonly kind: 'retryAfter'; readonly delayMs: number };

/** Decides, for an error thrown by attempt `attempt` (1-based), whether and how to retry. */
export type RetryClassifier = (error: unknown, attempt: number) => RetryDecision;

export interface RetryOptions {
  /** Attempts in total, the first included, in [1, 100]. */
  readonly attemptsMax: number;
  /** Time budget from the start of the first attempt, ms: no wait or attempt may start past it. */
  readonly elapsedMaxMs: number;
  /** Waits between attempts. Default ExponentialBackoff with its defaults, jittered by `rng`. */
  readonly backoff?: Backoff;
  /** Default: retry every error except AbortedError. */
  readonly classify?: RetryClassifier;
  /** Extra random share added to server-given waits so instances do not return together, in [0, 1]. Default 0.1. */
  readonly retryAfterJitterRatio?: number;
  /** Default systemClock. */
  readonly clock?: Clock;
  /** Jitter for retryAfter waits (and the default backoff). Default a system-seeded Rng. */
  readonly rng?: Rng;
}

export type RetryGiveUpReason = 'attemptsMax' | 'elapsedMax' | 'stopped' | 'aborted';

export interface RetryEvent {
  /** The attempt that just failed, 1-based. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: unknown;
}

export interface GiveUpEvent {
  readonly attempts: number;
  readonly error: unknown;
  readonly reason: RetryGiveUpReason;
}

export const retryAll: RetryClassifier = (error) =>
  isAbortedError(error) ? { kind: 'stop' } : { kind: 'retry' };

export class RetryPolicy implements Policy {
  readonly #retryEmitter = new EventEmitter<RetryEvent>();
  readonly #giveUpEmitter = new EventEmitter<GiveUpEvent>();
  readonly #successEmitter = new EventEmitter<{ readonly attempts: number }>();

  /** Fired before each wait. */
  readonly onRetry = this.#retryEmitter.addListener;
  /** Fired once when the policy stops trying; the last error is then rethrown. */
  readonly onGiveUp = this.#giveUpEmitter.addListener;
  readonly onSuccess = this.#successEmitter.addListener;

  readonly attemptsMax: number;
  readonly elapsedMaxMs: number;
  readonly #backoff: Backoff;
  readonly #classify: RetryClassifier;
  readonly #retryAfterJitterRatio: number;
  readonly #clock: Clock;
  readonly #rng: Rng;

  constructor(options: RetryOptions) {
    if (!Number.isInteger(options.attemptsMax) || options.attemptsMax < 1 || options.attemptsMax > 100)
      throw new RangeError(`attemptsMax must be an integer in [1, 100], was ${options.attemptsMax}`);
    if (!Number.isFinite(options.elapsedMaxMs) || options.elapsedMaxMs <= 0)
      throw new RangeError(`elapsedMaxMs must be a finite number > 0, was ${options.elapsedMaxMs}`);
    const jitterRatio = options.retryAfterJitterRatio ?? 0.1;
    if (!(jitterRatio >= 0 && jitterRatio <= 1))
      throw new RangeError(`retryAfterJitterRatio must be in [0, 1], was ${jitterRatio}`);
    this.attemptsMax = options.attemptsMax;
    this.elapsedMaxMs = options.elapsedMaxMs;
    this.#rng = options.rng ?? systemRng();
    this.#backoff = options.backoff ?? new ExponentialBackoff({ rng: this.#rng });
    this.#classify = options.classify ?? retryAll;
    this.#retryAfterJitterRatio = jitterRatio;
    this.#clock = options.clock ?? systemClock;
  }

  async execute<T>(fn: (context: PolicyContext) => Promise<T> | T, signal?: AbortSignal): Promise<T> {
    const callerSignal = signal ?? neverAbortedSignal;
    if (callerSignal.aborted)
      throw new AbortedError('aborted before the first attempt', { cause: callerSignal.reason });
    const deadlineMs = this.#clock.nowMs() + this.elapsedMaxMs;
    let backoff = this.#backoff;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await fn({ signal: callerSignal, attempt });
        this.#successEmitter.emit({ attempts: attempt });
        return result;
      } catch (error) {
        const plan = this.#plan(error, attempt, callerSignal, backoff);
        if (plan.kind === 'giveUp') {
          this.#giveUpEmitter.emit({ attempts: attempt, error, reason: plan.reason });
          throw error;
        }
        backoff = plan.backoff;
        // Neither begin a wait that would end past the budget, nor start an attempt at its end.
        if (this.#clock.nowMs() + plan.delayMs >= deadlineMs) {
          this.#giveUpEmitter.emit({ attempts: attempt, error, reason: 'elapsedMax' });
          throw error;
        }
        this.#retryEmitter.emit({ attempt, delayMs: plan.delayMs, error });
        await this.#wait(plan.delayMs, callerSignal, attempt, error);
      }
    }
  }

  #plan(
    error: unknown,
    attempt: number,
    signal: AbortSignal,
    backoff: Backoff,
  ): { kind: 'giveUp'; reason: RetryGiveUpReason } | { kind: 'wait'; delayMs: number; backoff: Backoff } {
    if (signal.aborted) return { kind: 'giveUp', reason: 'aborted' };
    if (attempt >= this.attemptsMax) return { kind: 'giveUp', reason: 'attemptsMax' };
    const decision = this.#classify(error, attempt);
    switch (decision.kind) {
      case 'stop':
        return { kind: 'giveUp', reason: 'stopped' };
      case 'retry': {
        const next = backoff.next();
        return { kind: 'wait', delayMs: next.duration, backoff: next };
      }
      case 'retryAfter': {
        if (!(decision.delayMs >= 0))
          throw new RangeError(`retryAfter delayMs must be >= 0, was ${decision.delayMs}`);
        // An infinite wait stays infinite (and then exceeds the budget); 0 * Infinity would be NaN.
        const jitterMs = Number.isFinite(decision.delayMs)
          ? Math.floor(this.#rng.next() * decision.delayMs * this.#retryAfterJitterRatio)
          : 0;
        return { kind: 'wait', delayMs: decision.delayMs + jitterMs, backoff };
      }
    }
  }

  async #wait(delayMs: number, signal: AbortSignal, attempt: number, lastError: unknown): Promise<void> {
    try {
      await this.#clock.sleep(delayMs, signal === neverAbortedSignal ? undefined : signal);
    } catch (error) {
      this.#giveUpEmitter.emit({ attempts: attempt, error: lastError, reason: 'aborted' });
      throw error;
    }
  }
}
