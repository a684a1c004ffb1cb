// A fixed-size ring of recent durations. Recording is O(1); percentiles are computed only when a
// snapshot is asked for (copy + sort of at most `sampleCountMax` values), never per call.

export interface LatencySnapshot {
  /** Durations currently in the window. */
  readonly sampleCount: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Default ring size: enough for stable p99 without noticeable memory. */
export const LATENCY_SAMPLE_COUNT_MAX_DEFAULT = 1_024;

export class LatencyWindow {
  readonly #samples: Float64Array;
  #writeIndex = 0;
  #sampleCount = 0;

  constructor(sampleCountMax: number = LATENCY_SAMPLE_COUNT_MAX_DEFAULT) {
    if (!Number.isInteger(sampleCountMax) || sampleCountMax < 1 || sampleCountMax > 1_000_000)
      throw new RangeError(`sampleCountMax must be an integer in [1, 1000000], was ${sampleCountMax}`);
    this.#samples = new Float64Array(sampleCountMax);
  }

  get sampleCount(): number {
    return this.#sampleCount;
  }

  record(durationMs: number): void {
    if (!Number.isFinite(durationMs) || durationMs < 0)
      throw new RangeError(`durationMs must be a finite number >= 0, was ${durationMs}`);
    this.#samples[this.#writeIndex] = durationMs;
    this.#writeIndex = (this.#writeIndex + 1) % this.#samples.length;
    this.#sampleCount = Math.min(this.#sampleCount + 1, this.#samples.length);
  }

  clear(): void {
    this.#writeIndex = 0;
    this.#sampleCount = 0;
  }

  /** Nearest-rank percentiles over the samples in the window; all zero when it is empty. */
  snapshot(): LatencySnapshot {
    const sorted = this.#samples.slice(0, this.#sampleCount).sort();
    return {
      sampleCount: sorted.length,
      p50Ms: nearestRank(sorted, 0.5),
      p90Ms: nearestRank(sorted, 0.9),
      p99Ms: nearestRank(sorted, 0.99),
      maxMs: sorted.length === 0 ? 0 : (sorted[sorted.length - 1] ?? 0),
    };
  }
}

function nearestRank(sorted: Float64Array, quantile: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil(quantile * sorted.length));
  return sorted[rank - 1] ?? 0;
}
