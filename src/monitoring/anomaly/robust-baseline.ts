// One series' robust baseline: an EWMA of the value and an EWMA of the absolute deviation (a streaming
// MAD), a robust score per sample, and a CUSUM of the scores that decays with time. A spike (one score
// far out on a harmful side) flags at once; a leak (many small same-signed scores) flags when the CUSUM
// sums up. Only the sides the spec calls harmful flag: a fill better than the quote is no alarm.
// Pure functions on a plain, JSON-safe state, so the model persists across restarts as it is.

/** How a series is scored; one spec per series kind. */
export interface BaselineSpec {
  /**
   * `zero`: the healthy value is exactly 0 (a reconciliation difference), so the baseline is 0 and every
   * deviation counts from the first sample. `learned`: the EWMA learns the healthy level after warm-up.
   */
  readonly baseline: 'zero' | 'learned';
  /** Smallest scale a score divides by, in the series' unit: no score explodes on a flat baseline. */
  readonly scaleFloor: number;
  /** Per-sample allowance subtracted before the CUSUM adds a score; 0 when healthy noise is none. */
  readonly slack: number;
  /**
   * Which deviations are harmful and flag: `high` (above the baseline, e.g. paying more than the quote),
   * `low` (below it, e.g. filling less of an order) or `both` (a ledger off either way). An outlier on
   * the harmless side flags nothing and, like a spike, is not learned.
   */
  readonly harmful: 'high' | 'low' | 'both';
}

export interface BaselineThresholds {
  /** Weight of the newest sample in the EWMAs, in (0, 1]. */
  readonly ewmaAlpha: number;
  /** Samples a learned baseline needs before it may flag. */
  readonly warmupCount: number;
  /** |score| at which one sample flags as a spike. */
  readonly spikeScore: number;
  /** CUSUM at which a sustained drift flags as a leak. */
  readonly leakScore: number;
  /** The CUSUM halves over this much quiet time, ms. */
  readonly cusumHalfLifeMs: number;
}

export interface BaselineState {
  readonly count: number;
  readonly mean: number;
  /** EWMA of |value − mean|: the streaming median absolute deviation. */
  readonly mad: number;
  readonly cusumHigh: number;
  readonly cusumLow: number;
  readonly lastAtMs: number | null;
}

export type FlagKind = 'spike' | 'leak';

export interface Scored {
  readonly state: BaselineState;
  /** The baseline the sample was scored against (before it learned from the sample). */
  readonly baseline: number;
  readonly scale: number;
  readonly score: number;
  readonly cusumHigh: number;
  readonly cusumLow: number;
  readonly flag?: FlagKind;
}

export const EMPTY_BASELINE: BaselineState = {
  count: 0,
  mean: 0,
  mad: 0,
  cusumHigh: 0,
  cusumLow: 0,
  lastAtMs: null,
};

/** MAD × 1.4826 estimates the standard deviation of normal noise. */
const MAD_TO_SIGMA = 1.4826;

/** Scores one sample against the state, then learns from it. A flag resets the CUSUM that raised it. */
export function scoreSample(
  state: BaselineState,
  spec: BaselineSpec,
  thresholds: BaselineThresholds,
  sample: { readonly value: number; readonly atMs: number },
): Scored {
  const baseline = spec.baseline === 'zero' ? 0 : state.mean;
  const scale = Math.max(MAD_TO_SIGMA * state.mad, spec.scaleFloor);
  const score = (sample.value - baseline) / scale;
  const decay = decayFactor(state.lastAtMs, sample.atMs, thresholds.cusumHalfLifeMs);
  const high = spec.harmful !== 'low';
  const low = spec.harmful !== 'high';
  let cusumHigh = high ? Math.max(0, state.cusumHigh * decay + score - spec.slack) : 0;
  let cusumLow = low ? Math.max(0, state.cusumLow * decay - score - spec.slack) : 0;
  const warm = spec.baseline === 'zero' || state.count >= thresholds.warmupCount;
  const outlier = warm && Math.abs(score) >= thresholds.spikeScore;
  let flag: FlagKind | undefined;
  if (outlier) flag = (score > 0 ? high : low) ? 'spike' : undefined;
  else if (warm && Math.max(cusumHigh, cusumLow) >= thresholds.leakScore) flag = 'leak';
  const scoredCusum = { cusumHigh, cusumLow };
  if (flag !== undefined || !warm) {
    // Start the next watch from zero: one flag per episode, and no warm-up noise carried in.
    cusumHigh = 0;
    cusumLow = 0;
  }
  const alpha = thresholds.ewmaAlpha;
  // An outlier (a spike, or its harmless mirror) is not taught to a learned baseline: the next normal
  // sample would look odd instead.
  const learn = !outlier;
  const mean = learn ? ewma(state.mean, sample.value, alpha, state.count) : state.mean;
  const mad = learn ? ewma(state.mad, Math.abs(sample.value - baseline), alpha, state.count) : state.mad;
  return {
    state: { count: state.count + 1, mean, mad, cusumHigh, cusumLow, lastAtMs: sample.atMs },
    baseline,
    scale,
    score,
    ...scoredCusum,
    ...(flag === undefined ? {} : { flag }),
  };
}

/** A state read back from storage: every field a finite number of the right sign, else empty. */
export function restoreBaseline(raw: unknown): BaselineState {
  if (typeof raw !== 'object' || raw === null) return EMPTY_BASELINE;
  const r = raw as Record<string, unknown>;
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  const { count, mean, mad, cusumHigh, cusumLow, lastAtMs } = r;
  if (!finite(count) || !finite(mean) || !finite(mad) || !finite(cusumHigh) || !finite(cusumLow))
    return EMPTY_BASELINE;
  if (count < 0 || mad < 0 || cusumHigh < 0 || cusumLow < 0) return EMPTY_BASELINE;
  return { count, mean, mad, cusumHigh, cusumLow, lastAtMs: finite(lastAtMs) ? lastAtMs : null };
}

function ewma(previous: number, value: number, alpha: number, count: number): number {
  // The first samples average plainly, so the baseline does not start biased towards 0.
  const weight = Math.max(alpha, 1 / (count + 1));
  return previous + weight * (value - previous);
}

function decayFactor(lastAtMs: number | null, atMs: number, halfLifeMs: number): number {
  if (lastAtMs === null || atMs <= lastAtMs) return 1;
  return 0.5 ** ((atMs - lastAtMs) / halfLifeMs);
}
