// One endpoint group's circuit breaker: a `kind` naming when it opens, that kind's parameters, and the
// timing every kind shares. A breaker given without a kind is `consecutiveOrSampling`, the default.
import { z } from 'zod';
import { durationMs, intRange } from './fields.js';

export const BREAKER_KINDS = ['consecutiveOrSampling', 'consecutive', 'sampling', 'count'] as const;
export type BreakerKind = (typeof BREAKER_KINDS)[number];
export const DEFAULT_BREAKER_KIND: BreakerKind = 'consecutiveOrSampling';

const rate = () =>
  z
    .number({ error: 'number in (0, 1]' })
    .positive({ error: 'number in (0, 1]' })
    .max(1, { error: 'number in (0, 1]' });

/** Timing shared by every kind. */
const timing = {
  /** How long the breaker stays open before letting a probe through, ms. */
  breakDurationMs: durationMs().default(30_000),
  /** Upper bound when the break duration grows after failed probes, ms. */
  breakDurationMaxMs: durationMs().default(300_000),
  /** Probes allowed at once while half-open. */
  halfOpenProbesMax: intRange(1, 100).default(1),
  /** A successful call slower than this counts as a failure, ms; unset: no call is slow. */
  slowCallDurationMs: durationMs().optional(),
};
/** Consecutive failures that open the breaker. */
const failureThreshold = () => intRange(1, 1_000).default(5);
/** A failure rate at or above this opens the breaker, in (0, 1]. */
const failureRateThreshold = () => rate().default(0.5);
/** Window of the failure rate, ms (a multiple of 10): failures spread out between successes count. */
const failureRateWindowMs = () =>
  durationMs()
    .refine((ms) => ms % 10 === 0, { error: 'positive integer, a multiple of 10' })
    .default(300_000);
/** Calls the window must hold before the failure rate may open the breaker. */
const failureRateCallsMin = () => intRange(1, 1_000).default(6);

const consecutiveOrSampling = z.strictObject({
  kind: z.literal('consecutiveOrSampling'),
  ...timing,
  failureThreshold: failureThreshold(),
  failureRateThreshold: failureRateThreshold(),
  failureRateWindowMs: failureRateWindowMs(),
  failureRateCallsMin: failureRateCallsMin(),
});
const consecutive = z.strictObject({
  kind: z.literal('consecutive'),
  ...timing,
  failureThreshold: failureThreshold(),
});
const sampling = z.strictObject({
  kind: z.literal('sampling'),
  ...timing,
  failureRateThreshold: failureRateThreshold(),
  failureRateWindowMs: failureRateWindowMs(),
  failureRateCallsMin: failureRateCallsMin(),
});
const count = z
  .strictObject({
    kind: z.literal('count'),
    ...timing,
    failureRateThreshold: failureRateThreshold(),
    /** Calls the failure rate is taken over (the last N calls). */
    windowCallCount: intRange(1, 10_000).default(100),
    /** Calls the window must hold before the failure rate may open the breaker (<= windowCallCount). */
    failureRateCallsMin: failureRateCallsMin(),
  })
  .refine((value) => value.failureRateCallsMin <= value.windowCallCount, {
    error: 'failureRateCallsMin no larger than windowCallCount',
    path: ['failureRateCallsMin'],
  });

/** A breaker without a kind takes the default kind, so `{ "failureThreshold": 3 }` stays valid. */
function withDefaultKind(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input) || 'kind' in input) return input;
  return { kind: DEFAULT_BREAKER_KIND, ...input };
}

export const breakerSchema = z
  .preprocess(
    withDefaultKind,
    z.discriminatedUnion('kind', [consecutiveOrSampling, consecutive, sampling, count], {
      error: `breaker with a kind: one of ${BREAKER_KINDS.map((kind) => JSON.stringify(kind)).join(', ')}`,
    }),
  )
  .prefault({});

export type BreakerConfig = z.output<typeof breakerSchema>;
