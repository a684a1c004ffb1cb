// Options of the anomaly detector: the thresholds are settings, defaults in one const, checked once.
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../logging/logger.js';
import type { Database } from '../../storage/database.js';
import type { BaselineSpec, BaselineThresholds } from './robust-baseline.js';

/** The series watched per currency. */
export type SeriesKind = 'reconciliation' | 'slippage' | 'feeRate' | 'fillRatio';
export const SERIES_KINDS: readonly SeriesKind[] = ['reconciliation', 'slippage', 'feeRate', 'fillRatio'];

export interface AnomalyDetectorOptions extends Partial<BaselineThresholds> {
  readonly database: Database;
  readonly clock: Clock;
  readonly logger?: Logger;
  /**
   * Smallest scale of a reconciliation difference, as a share of the currency's tolerance. With the
   * defaults a steady leak flags once it adds up to leakScore × this = 0.3 of the tolerance. Default 0.05.
   */
  readonly reconciliationScaleFloor?: number;
  /** The account's fee tier as a rate (0.0015 = 0.15 %); unset: the fee rate's baseline is learned. */
  readonly feeTierRate?: number;
  /** Values kept per series as a flag's evidence. Default 20. */
  readonly recentCountMax?: number;
}

export const ANOMALY_DEFAULTS = {
  ewmaAlpha: 0.05,
  warmupCount: 20,
  spikeScore: 8,
  leakScore: 6,
  cusumHalfLifeMs: 24 * 3_600_000,
  reconciliationScaleFloor: 0.05,
  recentCountMax: 20,
} as const;

export interface ResolvedAnomalyOptions {
  readonly thresholds: BaselineThresholds;
  readonly specs: Readonly<Record<SeriesKind, BaselineSpec>>;
  readonly feeTierRate: number | undefined;
  readonly recentCountMax: number;
}

export function resolveAnomalyOptions(options: AnomalyDetectorOptions): ResolvedAnomalyOptions {
  const d = ANOMALY_DEFAULTS;
  const thresholds: BaselineThresholds = {
    ewmaAlpha: options.ewmaAlpha ?? d.ewmaAlpha,
    warmupCount: options.warmupCount ?? d.warmupCount,
    spikeScore: options.spikeScore ?? d.spikeScore,
    leakScore: options.leakScore ?? d.leakScore,
    cusumHalfLifeMs: options.cusumHalfLifeMs ?? d.cusumHalfLifeMs,
  };
  if (!(thresholds.ewmaAlpha > 0 && thresholds.ewmaAlpha <= 1))
    throw new RangeError(`ewmaAlpha must be in (0, 1], was ${thresholds.ewmaAlpha}`);
  if (
    !Number.isInteger(thresholds.warmupCount) ||
    thresholds.warmupCount < 0 ||
    thresholds.warmupCount > 10_000
  )
    throw new RangeError(`warmupCount must be an integer in [0, 10000], was ${thresholds.warmupCount}`);
  for (const key of ['spikeScore', 'leakScore', 'cusumHalfLifeMs'] as const)
    if (!(thresholds[key] > 0 && Number.isFinite(thresholds[key])))
      throw new RangeError(`${key} must be a positive finite number, was ${thresholds[key]}`);
  const floor = options.reconciliationScaleFloor ?? d.reconciliationScaleFloor;
  if (!(floor > 0 && floor <= 1))
    throw new RangeError(`reconciliationScaleFloor must be in (0, 1], was ${floor}`);
  const feeTierRate = options.feeTierRate;
  if (feeTierRate !== undefined && !(feeTierRate > 0 && feeTierRate < 0.1))
    throw new RangeError(`feeTierRate must be in (0, 0.1), was ${feeTierRate}`);
  const recentCountMax = options.recentCountMax ?? d.recentCountMax;
  if (!Number.isInteger(recentCountMax) || recentCountMax < 1 || recentCountMax > 1_000)
    throw new RangeError(`recentCountMax must be an integer in [1, 1000], was ${recentCountMax}`);
  return {
    thresholds,
    feeTierRate,
    recentCountMax,
    specs: {
      // Share of the tolerance; a healthy ledger differs by exactly nothing, so no slack.
      reconciliation: { baseline: 'zero', scaleFloor: floor, slack: 0, harmful: 'both' },
      // Basis points against the reference price, adverse positive: a better fill is no alarm.
      slippage: { baseline: 'learned', scaleFloor: 5, slack: 0.5, harmful: 'high' },
      // Against the tier: the relative deviation, healthy at 0. Without a tier: basis points, learned.
      // Paying more is the harm; a lower rate is a better tier.
      feeRate:
        feeTierRate === undefined
          ? { baseline: 'learned', scaleFloor: 1, slack: 0.5, harmful: 'high' }
          : { baseline: 'zero', scaleFloor: 0.05, slack: 0.5, harmful: 'high' },
      // Filled share of a finished order, 0 to 1: orders filling less than usual are the harm.
      fillRatio: { baseline: 'learned', scaleFloor: 0.1, slack: 1, harmful: 'low' },
    },
  };
}
