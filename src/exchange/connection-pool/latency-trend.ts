// Latency and error trends of one endpoint over a window of time (not the last N calls): a least-squares
// line through the window's latencies projects where latency is heading, and the window's share of
// failed calls shows where errors are heading. Bounded: old samples leave by age, and by count.

export interface TrendSample {
  readonly atMs: number;
  /** Time to an answer (or to the failure), ms. */
  readonly latencyMs: number;
  readonly ok: boolean;
}

export interface Trend {
  readonly sampleCount: number;
  /** The fitted latency now, ms (0 without samples). */
  readonly latencyNowMs: number;
  /** Growth of the fitted latency, ms per second (0 with fewer than two distinct instants). */
  readonly slopeMsPerS: number;
  /** The fitted latency `horizonMs` from now, never below the latency now, ms. */
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
    const latencyNowMs = Math.max(0, intercept);
    return {
      sampleCount: count,
      latencyNowMs,
      slopeMsPerS: slopePerMs * 1_000,
      forecastMs: Math.max(latencyNowMs, intercept + slopePerMs * horizonMs),
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
