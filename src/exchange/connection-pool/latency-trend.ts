// Latency and error trends of one endpoint over a window of time (not the last N calls): a least-squares
// line through the window's latencies projects where latency is heading, and the window's share of
// failed calls shows where errors are heading. Bounded: old samples leave by age, and by count.
// A trend must be sustained to count: the projection is the lower of the whole window's line and the
// newest half's line, and neither is projected further ahead than the time its samples span. A step
// (latency jumps once, then holds) is a flat newest half, so it projects the new level, not a climb.

import { type Line, LineSums } from './line-sums.js';

export interface TrendSample {
  readonly atMs: number;
  /** Time to an answer (or to the failure), ms. */
  readonly latencyMs: number;
  readonly ok: boolean;
}

export interface Trend {
  readonly sampleCount: number;
  /** The fitted latency now, the lower of the whole window's and the newest half's lines, ms (0 without samples). */
  readonly latencyNowMs: number;
  /** Growth of the fitted latency, ms per second (0 with fewer than two distinct instants). */
  readonly slopeMsPerS: number;
  /**
   * The latency projected up to `horizonMs` from now (no further than the samples span), the lower of
   * the whole window's and the newest half's projections, never below the latency now, ms.
   */
  readonly forecastMs: number;
  readonly horizonMs: number;
  /** Failed calls over all calls in the window, 0..1. */
  readonly errorShare: number;
}

export class LatencyTrend {
  readonly #samples: TrendSample[] = [];
  /** Sums over every sample, and over the newest half (from #halfStart on). */
  readonly #all = new LineSums();
  readonly #half = new LineSums();
  #halfStart = 0;
  #failedCount = 0;
  /** Samples removed since the sums were last rebuilt from the samples. */
  #removedCount = 0;

  constructor(
    private readonly windowMs: number,
    private readonly samplesMax: number,
  ) {
    if (!(windowMs > 0)) throw new RangeError(`windowMs must be positive, was ${windowMs}`);
    if (!Number.isInteger(samplesMax) || samplesMax < 2)
      throw new RangeError(`samplesMax must be an integer ≥ 2, was ${samplesMax}`);
  }

  add(sample: TrendSample): void {
    this.#samples.push(sample);
    this.#all.add(sample);
    this.#half.add(sample);
    if (!sample.ok) this.#failedCount += 1;
    if (this.#samples.length > this.samplesMax) this.#dropOldest(1);
    this.#balanceHalf();
  }

  clear(): void {
    this.#samples.length = 0;
    this.#rebuild();
  }

  /** Fits the window ending at `nowMs` and projects it `horizonMs` ahead. */
  fit(nowMs: number, horizonMs: number): Trend {
    this.#prune(nowMs);
    const count = this.#samples.length;
    const whole = this.#all.line(nowMs);
    const newest = this.#half.line(nowMs);
    const latencyNowMs = Math.max(0, Math.min(whole.intercept, newest.intercept));
    const projectedMs = Math.min(
      project(whole, this.#spanMs(0), horizonMs),
      project(newest, this.#spanMs(this.#halfStart), horizonMs),
    );
    return {
      sampleCount: count,
      latencyNowMs,
      slopeMsPerS: whole.slopePerMs * 1_000,
      forecastMs: Math.max(latencyNowMs, projectedMs),
      horizonMs,
      errorShare: count === 0 ? 0 : this.#failedCount / count,
    };
  }

  #prune(nowMs: number): void {
    const oldestMs = nowMs - this.windowMs;
    let drop = 0;
    while (drop < this.#samples.length && (this.#samples[drop]?.atMs ?? 0) < oldestMs) drop++;
    if (drop === 0) return;
    this.#dropOldest(drop);
    this.#balanceHalf();
  }

  /** Removes the `count` oldest samples from the window and from the sums that hold them. */
  #dropOldest(count: number): void {
    for (let index = 0; index < count; index++) {
      const sample = this.#samples.shift();
      if (sample === undefined) break;
      this.#all.remove(sample);
      if (!sample.ok) this.#failedCount -= 1;
    }
    // Only the first halfStart samples were outside the half; any other dropped one was in it.
    const outsideHalf = Math.min(count, this.#halfStart);
    this.#halfStart -= outsideHalf;
    this.#removedCount += count;
    const oldest = this.#samples[0];
    const farFromOrigin = oldest !== undefined && oldest.atMs - this.#all.originMs > this.windowMs;
    if (count > outsideHalf || this.#removedCount >= this.samplesMax || farFromOrigin) this.#rebuild();
  }

  /** Moves the half's start to floor(count / 2): the newest half is samples.slice(floor(count / 2)). */
  #balanceHalf(): void {
    const target = Math.floor(this.#samples.length / 2);
    while (this.#halfStart < target) {
      const leaving = this.#samples[this.#halfStart++];
      if (leaving !== undefined) this.#half.remove(leaving);
    }
    while (this.#halfStart > target) {
      const joining = this.#samples[--this.#halfStart];
      if (joining !== undefined) this.#half.add(joining);
    }
  }

  /** Sums afresh from the samples: bounds rounding from many removals. */
  #rebuild(): void {
    this.#all.reset();
    this.#half.reset();
    this.#failedCount = 0;
    this.#removedCount = 0;
    this.#halfStart = Math.floor(this.#samples.length / 2);
    this.#samples.forEach((sample, index) => {
      this.#all.add(sample);
      if (index >= this.#halfStart) this.#half.add(sample);
      if (!sample.ok) this.#failedCount += 1;
    });
  }

  /** Time between the newest sample and the one at `fromIndex`, ms (0 for fewer than two). */
  #spanMs(fromIndex: number): number {
    const samples = this.#samples;
    if (samples.length - fromIndex < 2) return 0;
    return (samples.at(-1)?.atMs ?? 0) - (samples[fromIndex]?.atMs ?? 0);
  }
}

/** The line at now plus the horizon, capped at the time its samples span. */
function project(line: Line, spanMs: number, horizonMs: number): number {
  return line.intercept + line.slopePerMs * Math.min(horizonMs, Math.max(0, spanMs));
}
