// Latency and error trends of one endpoint over a window of time (not the last N calls): a least-squares
// line through the window's latencies projects where latency is heading, and the window's share of
// failed calls shows where errors are heading. Bounded: old samples leave by age, and by count.
// A trend must be sustained to count: the projection is the lower of the whole window's line and the
// newest half's line, and neither is projected further ahead than the time its samples span. A step
// (latency jumps once, then holds) is a flat newest half, so it projects the new level, not a climb.

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
    if (this.#samples.length > this.samplesMax) this.#samples.shift();
  }

  clear(): void {
    this.#samples.length = 0;
  }

  /** Fits the window ending at `nowMs` and projects it `horizonMs` ahead. */
  fit(nowMs: number, horizonMs: number): Trend {
    this.#prune(nowMs);
    const samples = this.#samples;
    const count = samples.length;
    const failed = samples.filter((sample) => !sample.ok).length;
    const { intercept, slopePerMs } = leastSquares(samples, nowMs);
    const newestHalf = samples.slice(Math.floor(count / 2));
    const latencyNowMs = Math.max(0, Math.min(intercept, leastSquares(newestHalf, nowMs).intercept));
    const projectedMs = Math.min(project(samples, nowMs, horizonMs), project(newestHalf, nowMs, horizonMs));
    return {
      sampleCount: count,
      latencyNowMs,
      slopeMsPerS: slopePerMs * 1_000,
      forecastMs: Math.max(latencyNowMs, projectedMs),
      horizonMs,
      errorShare: count === 0 ? 0 : failed / count,
    };
  }

  #prune(nowMs: number): void {
    const oldestMs = nowMs - this.windowMs;
    let drop = 0;
    while (drop < this.#samples.length && (this.#samples[drop]?.atMs ?? 0) < oldestMs) drop++;
    if (drop > 0) this.#samples.splice(0, drop);
  }
}

/** The line through `samples` at `nowMs` plus the horizon, capped at the time the samples span. */
function project(samples: readonly TrendSample[], nowMs: number, horizonMs: number): number {
  const { intercept, slopePerMs } = leastSquares(samples, nowMs);
  const spanMs = samples.length < 2 ? 0 : (samples.at(-1)?.atMs ?? 0) - (samples[0]?.atMs ?? 0);
  return intercept + slopePerMs * Math.min(horizonMs, Math.max(0, spanMs));
}

/** Latency = intercept + slope × (t − now); a flat line through the mean when time does not vary. */
function leastSquares(
  samples: readonly TrendSample[],
  nowMs: number,
): { intercept: number; slopePerMs: number } {
  const n = samples.length;
  if (n === 0) return { intercept: 0, slopePerMs: 0 };
  let sumT = 0;
  let sumY = 0;
  for (const sample of samples) {
    sumT += sample.atMs - nowMs;
    sumY += sample.latencyMs;
  }
  const meanT = sumT / n;
  const meanY = sumY / n;
  let covariance = 0;
  let variance = 0;
  for (const sample of samples) {
    const dt = sample.atMs - nowMs - meanT;
    covariance += dt * (sample.latencyMs - meanY);
    variance += dt * dt;
  }
  if (variance === 0) return { intercept: meanY, slopePerMs: 0 };
  const slopePerMs = covariance / variance;
  return { intercept: meanY - slopePerMs * meanT, slopePerMs };
}
