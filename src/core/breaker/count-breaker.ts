// Failure rate over the last `windowCallCount` calls (a count-based sliding window). It never
// opens before `callsMin` calls are in the window, so one early failure cannot trip it.
import {
  type Breaker,
  type BreakerSnapshot,
  checkInteger,
  checkThreshold,
  expectSnapshotKind,
} from './breaker.js';

export interface CountBreakerOptions {
  /** Failure rate in (0, 1] at or above which the circuit opens. */
  readonly threshold: number;
  /** Calls kept in the window, in [1, 100_000]. Default 100. */
  readonly windowCallCount?: number;
  /** Calls the window must hold before it may open, in [1, windowCallCount]. Default 20 (capped). */
  readonly callsMin?: number;
}

export class CountBreaker implements Breaker {
  readonly threshold: number;
  readonly callsMin: number;
  /** 1 = failure, 0 = success; a ring indexed by #writeIndex. */
  readonly #outcomes: Uint8Array;
  #writeIndex = 0;
  #callCount = 0;
  #failureCount = 0;

  constructor(options: CountBreakerOptions) {
    this.threshold = checkThreshold(options.threshold);
    const windowCallCount = checkInteger('windowCallCount', options.windowCallCount ?? 100, 1, 100_000);
    const callsMin = options.callsMin ?? Math.min(20, windowCallCount);
    this.callsMin = checkInteger('callsMin', callsMin, 1, windowCallCount);
    this.#outcomes = new Uint8Array(windowCallCount);
  }

  success(_durationMs: number): void {
    this.#push(0);
  }

  failure(_durationMs: number): boolean {
    this.#push(1);
    return this.#callCount >= this.callsMin && this.#failureCount / this.#callCount >= this.threshold;
  }

  reset(): void {
    this.#writeIndex = 0;
    this.#callCount = 0;
    this.#failureCount = 0;
  }

  /** Outcomes oldest first, 1 for a failure. */
  toJSON(): BreakerSnapshot {
    const size = this.#outcomes.length;
    const start = (this.#writeIndex - this.#callCount + size) % size;
    const outcomes = Array.from(
      { length: this.#callCount },
      (_, i) => this.#outcomes[(start + i) % size] ?? 0,
    );
    return { kind: 'count', outcomes };
  }

  restore(snapshot: BreakerSnapshot): void {
    expectSnapshotKind(snapshot, 'count');
    const outcomes = snapshot.outcomes;
    if (!Array.isArray(outcomes) || outcomes.some((o) => o !== 0 && o !== 1))
      throw new TypeError('count snapshot field outcomes must be an array of 0 and 1');
    this.reset();
    // A smaller window keeps the most recent outcomes.
    for (const outcome of outcomes.slice(-this.#outcomes.length)) this.#push(outcome === 1 ? 1 : 0);
  }

  #push(outcome: 0 | 1): void {
    const size = this.#outcomes.length;
    if (this.#callCount === size) this.#failureCount -= this.#outcomes[this.#writeIndex] ?? 0;
    else this.#callCount++;
    this.#outcomes[this.#writeIndex] = outcome;
    this.#failureCount += outcome;
    this.#writeIndex = (this.#writeIndex + 1) % size;
  }
}
