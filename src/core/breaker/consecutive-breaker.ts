// Opens after `failuresMax` failures in a row; any success starts the count again.
import {
  type Breaker,
  type BreakerSnapshot,
  checkInteger,
  expectSnapshotKind,
  snapshotCount,
} from './breaker.js';

export interface ConsecutiveBreakerOptions {
  /** Consecutive failures that open the circuit, in [1, 1_000_000]. Default 5. */
  readonly failuresMax?: number;
}

export class ConsecutiveBreaker implements Breaker {
  readonly failuresMax: number;
  #failureCount = 0;

  constructor(options: ConsecutiveBreakerOptions = {}) {
    this.failuresMax = checkInteger('failuresMax', options.failuresMax ?? 5, 1, 1_000_000);
  }

  success(_durationMs: number): void {
    this.#failureCount = 0;
  }

  failure(_durationMs: number): boolean {
    this.#failureCount = Math.min(this.#failureCount + 1, this.failuresMax);
    return this.#failureCount >= this.failuresMax;
  }

  reset(): void {
    this.#failureCount = 0;
  }

  toJSON(): BreakerSnapshot {
    return { kind: 'consecutive', failureCount: this.#failureCount };
  }

  restore(snapshot: BreakerSnapshot): void {
    expectSnapshotKind(snapshot, 'consecutive');
    this.#failureCount = Math.min(snapshotCount(snapshot, 'failureCount'), this.failuresMax);
  }
}
