// The anomaly section: thresholds of the position anomaly detector and of predictive recovery.
import { z } from 'zod';
import { bool, durationMs, intRange } from './fields.js';

const score = () =>
  z
    .number({ error: 'number in (0, 1000]' })
    .positive({ error: 'number in (0, 1000]' })
    .max(1_000, { error: 'number in (0, 1000]' });

const share = () =>
  z
    .number({ error: 'number in (0, 1]' })
    .positive({ error: 'number in (0, 1]' })
    .max(1, { error: 'number in (0, 1]' });

export const anomalySchema = z
  .strictObject({
    /** |robust score| of one sample that flags at once (a sudden change). */
    spikeScore: score().default(8),
    /** Summed scores (CUSUM) that flag a sustained drift (a slow leak). */
    leakScore: score().default(6),
    /** Weight of the newest sample in each series' EWMA baseline and MAD. */
    ewmaAlpha: share().default(0.05),
    /** Samples a learned baseline (slippage, fee rate, fill ratio) needs before it may flag. */
    warmupCount: intRange(0, 10_000).default(20),
    /** The CUSUM halves over this much quiet time. */
    cusumHalfLifeMs: durationMs().default(24 * 3_600_000),
    /** Smallest scale of a reconciliation difference as a share of its tolerance. */
    reconciliationScaleFloor: share().default(0.05),
    /** The account's fee tier as a rate (0.0015 = 0.15 %); unset: the fee baseline is learned. */
    feeTierRate: z
      .number({ error: 'number in (0, 0.1)' })
      .positive({ error: 'number in (0, 0.1)' })
      .lt(0.1, { error: 'number in (0, 0.1)' })
      .optional(),
    /** A flag halts the engine (critical) instead of only warning. */
    haltOnFlag: bool().default(false),
    predictive: z
      .strictObject({
        /** Act on latency and error trends before requests fail. */
        enabled: bool().default(true),
        /** Time window the trends are fitted over. */
        windowMs: durationMs().default(60_000),
        /** How far ahead the latency trend is projected. */
        horizonMs: durationMs().default(15_000),
        /** Act when the projected latency reaches this share of the headers timeout. */
        timeoutShare: share().default(0.6),
        /** Act when this share of the window's calls failed. */
        errorShare: share().default(0.5),
        /** Samples in the window before a trend counts. */
        samplesMin: intRange(2, 10_000).default(5),
      })
      .prefault({} as never),
  })
  .prefault({} as never);
