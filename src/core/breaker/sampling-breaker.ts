// Failure rate over the last `windowMs` (a time-based sliding window of `bucketCount` buckets, read
// from the clock). It never opens before `callsMin` calls fall in the window.
import { type Clock, systemClock } from '../clock.js';
import {
  type Breaker,
  type BreakerSnapshot,
  checkInteger,
  checkThreshold,
  expectSnapshotKind,
  snapshotCount,
} from './breaker.js';

export interface SamplingBreakerOptions {
  /** Failure rate in (0, 1] at or above which the circuit opens. */
  readonly threshold: number;
  /** Length of the sliding window, ms, in [1, 86_400_000]. Default 30_000. */
  readonly windowMs?: number;
  /** Buckets the window is split into, in [1, 1_000]; more buckets slide more smoothly. Default 10. */
  readonly bucketCount?: number;
  /** Calls the window must hold before it may open, >= 1. Default 20. */
  readonly callsMin?: number;
  /** Default systemClock. */
  readonly clock?: Clock;
}

interface Bucket {
  /** floor(nowMs / bucketMs) when the bucket was filled; -1 when empty. */
  epochIndex: number;
  successCount: number;
  failureCount: number;
}

export class SamplingBreaker implements Breaker {
  readonly threshold: number;
  readonly callsMin: number;
  readonly bucketMs: number;
  readonly #clock: Clock;
  readonly #buckets: Bucket[];

  constructor(options: SamplingBreakerOptions) {
    this.threshold = checkThreshold(options.threshold);
    const windowMs = checkInteger('windowMs', options.windowMs ?? 30_000, 1, 86_400_000);
    const bucketCount = checkInteger('bucketCount', options.bucketCount ?? 10, 1, 1_000);
    if (windowMs % bucketCount !== 0)
      throw new RangeError(`windowMs must be a multiple of bucketCount (${bucketCount}), was ${windowMs}`);
    this.callsMin = checkInteger('callsMin', options.callsMin ?? 20, 1, Number.MAX_SAFE_INTEGER);
    this.bucketMs = windowMs / bucketCount;
    this.#clock = options.clock ?? systemClock;
    this.#buckets = Array.from({ length: bucketCount }, () => ({
      epochIndex: -1,
      successCount: 0,
      failureCount: 0,
    }));
  }

  success(_durationMs: number): void {
    this.#current().successCount++;
  }

  failure(_durationMs: number): boolean {
    this.#current().failureCount++;
    const { successCount, failureCount } = this.#totals();
    const callCount = successCount + failureCount;
    return callCount >= this.callsMin && failureCount / callCount >= this.threshold;
  }

  reset(): void {
    for (const bucket of this.#buckets)
      Object.assign(bucket, { epochIndex: -1, successCount: 0, failureCount: 0 });
  }

  toJSON(): BreakerSnapshot {
    const live = this.#buckets.filter((bucket) => this.#isLive(bucket, this.#epochNow()));
    return { kind: 'sampling', bucketMs: this.bucketMs, buckets: live.map((bucket) => ({ ...bucket })) };
  }

  restore(snapshot: BreakerSnapshot): void {
    expectSnapshotKind(snapshot, 'sampling');
    if (snapshotCount(snapshot, 'bucketMs') !== this.bucketMs)
      throw new TypeError(
        `sampling snapshot bucketMs must be ${this.bucketMs}, was ${String(snapshot.bucketMs)}`,
      );
    const buckets = snapshot.buckets;
    if (!Array.isArray(buckets)) throw new TypeError('sampling snapshot field buckets must be an array');
    this.reset();
    for (const raw of buckets) {
      const bucket = parseBucket(raw);
      const target = this.#buckets[bucket.epochIndex % this.#buckets.length];
      if (target !== undefined && bucket.epochIndex > target.epochIndex) Object.assign(target, bucket);
    }
  }

  #epochNow(): number {
    return Math.floor(this.#clock.nowMs() / this.bucketMs);
  }

  /** A bucket counts while it lies in the window; one from the future (clock stepped back) does not. */
  #isLive(bucket: Bucket, epochNow: number): boolean {
    return bucket.epochIndex > epochNow - this.#buckets.length && bucket.epochIndex <= epochNow;
  }

  #current(): Bucket {
    const epochNow = this.#epochNow();
    const bucket = this.#buckets[epochNow % this.#buckets.length];
    if (bucket === undefined) throw new RangeError(`bucket index out of range at epoch ${epochNow}`);
    if (bucket.epochIndex !== epochNow)
      Object.assign(bucket, { epochIndex: epochNow, successCount: 0, failureCount: 0 });
    return bucket;
  }

  #totals(): { successCount: number; failureCount: number } {
    const epochNow = this.#epochNow();
    let successCount = 0;
    let failureCount = 0;
    for (const bucket of this.#buckets) {
      if (!this.#isLive(bucket, epochNow)) continue;
      successCount += bucket.successCount;
      failureCount += bucket.failureCount;
    }
    return { successCount, failureCount };
  }
}

function parseBucket(raw: unknown): Bucket {
  const fields = {
    kind: 'sampling',
    ...(typeof raw === 'object' && raw !== null ? raw : {}),
  } as BreakerSnapshot;
  return {
    epochIndex: snapshotCount(fields, 'epochIndex'),
    successCount: snapshotCount(fields, 'successCount'),
    failureCount: snapshotCount(fields, 'failureCount'),
  };
}
