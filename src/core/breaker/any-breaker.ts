// Opens when any of its strategies would: e.g. five failures in a row, or half the calls of the last
// five minutes, so failures spread out between successes still open the circuit. Every strategy
// records every call.
import { type Breaker, type BreakerSnapshot, expectSnapshotKind } from './breaker.js';

export class AnyBreaker implements Breaker {
  readonly #breakers: readonly Breaker[];

  constructor(breakers: readonly Breaker[]) {
    if (breakers.length === 0) throw new RangeError('AnyBreaker needs at least one breaker, was 0');
    this.#breakers = breakers;
  }

  success(durationMs: number): void {
    for (const breaker of this.#breakers) breaker.success(durationMs);
  }

  failure(durationMs: number): boolean {
    // No short-circuit: every strategy must see the failure.
    return this.#breakers.map((breaker) => breaker.failure(durationMs)).includes(true);
  }

  reset(): void {
    for (const breaker of this.#breakers) breaker.reset();
  }

  toJSON(): BreakerSnapshot {
    return { kind: 'any', parts: this.#breakers.map((breaker) => breaker.toJSON()) };
  }

  restore(snapshot: BreakerSnapshot): void {
    expectSnapshotKind(snapshot, 'any');
    const parts = snapshot.parts;
    if (!Array.isArray(parts) || parts.length !== this.#breakers.length)
      throw new TypeError(
        `any snapshot field parts must be an array of ${this.#breakers.length}, was ${JSON.stringify(parts)?.slice(0, 80)}`,
      );
    for (const [index, breaker] of this.#breakers.entries()) breaker.restore(parts[index] as BreakerSnapshot);
  }
}
