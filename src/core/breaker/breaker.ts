// A Breaker decides *when* to open; the CircuitBreakerPolicy owns states, timing and events.
// Strategies only see calls made while the circuit is closed, and are reset when it closes.

/** A strategy's exported state: `kind` names the strategy so a mismatched restore fails loudly. */
export interface BreakerSnapshot {
  readonly kind: string;
  readonly [field: string]: unknown;
}

export interface Breaker {
  /** Records a successful call that took durationMs. */
  success(durationMs: number): void;
  /** Records a failed call that took durationMs; returns true when the circuit should open. */
  failure(durationMs: number): boolean;
  /** Forgets all recorded calls. */
  reset(): void;
  /** Exports the recorded calls for sharing or persistence. */
  toJSON(): BreakerSnapshot;
  /** Replaces the recorded calls with an exported state; throws TypeError when it does not fit. */
  restore(snapshot: BreakerSnapshot): void;
}

export { AnyBreaker } from './any-breaker.js';
export { ConsecutiveBreaker, type ConsecutiveBreakerOptions } from './consecutive-breaker.js';
export { CountBreaker, type CountBreakerOptions } from './count-breaker.js';
export { SamplingBreaker, type SamplingBreakerOptions } from './sampling-breaker.js';

/** Checks a snapshot's kind before a strategy reads its fields. */
export function expectSnapshotKind(snapshot: BreakerSnapshot, kind: string): void {
  if (snapshot.kind !== kind)
    throw new TypeError(`expected a ${kind} breaker snapshot, was ${snapshot.kind}`);
}

/** Reads a non-negative integer field of a snapshot, or throws TypeError naming it. */
export function snapshotCount(snapshot: BreakerSnapshot, field: string): number {
  const value = snapshot[field];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw new TypeError(
      `${snapshot.kind} snapshot field ${field} must be an integer >= 0, was ${String(value)}`,
    );
  return value;
}

/** Validates a failure-rate threshold option: a fraction in (0, 1]. */
export function checkThreshold(threshold: number): number {
  if (!(threshold > 0 && threshold <= 1))
    throw new RangeError(`threshold must be in (0, 1], was ${threshold}`);
  return threshold;
}

/** Validates an integer option within [min, max]. */
export function checkInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], was ${value}`);
  return value;
}
