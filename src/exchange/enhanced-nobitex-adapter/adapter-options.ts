// Options of the enhanced adapter: one object, explicit defaults, validated once with the value in
// the message. Relations between values are checked here too (a retry budget must fit its timeouts).
import type { EndpointGroup } from '../connection-pool/transport.js';

/** When a group's circuit opens: failures in a row, a failure rate over time or over calls, or either of the first two. */
export type BreakerKind = 'consecutiveOrSampling' | 'consecutive' | 'sampling' | 'count';
export const BREAKER_KINDS: readonly BreakerKind[] = [
  'consecutiveOrSampling',
  'consecutive',
  'sampling',
  'count',
];

export interface BreakerGroupOptions {
  /** The strategy; each reads only its own parameters below. Default consecutiveOrSampling. */
  readonly kind: BreakerKind;
  /** Consecutive failed calls that open the group's circuit, in [1, 1000]. */
  readonly failuresMax: number;
  /** Break before the first probe, ms; with breakDelayMaxMs > breakDurationMs each re-open doubles it. */
  readonly breakDurationMs: number;
  /** Longest break after repeated re-opens, ms; equal to breakDurationMs for a fixed break. */
  readonly breakDelayMaxMs: number;
  /** Probe calls let through while half-open; all must succeed to close, in [1, 1000]. */
  readonly halfOpenProbesMax: number;
  /** Failure rate in (0, 1] over the last failureRateWindowMs that also opens the circuit. */
  readonly failureRateThreshold: number;
  /** Sliding window of the failure rate, ms, a multiple of 10. */
  readonly failureRateWindowMs: number;
  /** Calls the window must hold before the failure rate may open the circuit, in [1, 1000]. */
  readonly failureRateCallsMin: number;
  /** Calls the count kind's failure rate is taken over, in [failureRateCallsMin, 100 000]. */
  readonly windowCallCount: number;
  /** A successful call slower than this counts as a failure, ms; Infinity: none is slow. */
  readonly slowCallDurationMs: number;
}

export interface RetryClassOptions {
  /** Attempts in total, the first included, in [1, 100]. */
  readonly attemptsMax: number;
  /** Time budget for all attempts and waits of one call, ms. */
  readonly elapsedMaxMs: number;
  /** Smallest jittered wait between attempts, ms. */
  readonly delayInitialMs: number;
  /** Largest jittered wait between attempts, ms. */
  readonly delayMaxMs: number;
}

export interface CacheClassOptions {
  /** How long a value counts as fresh, ms. */
  readonly ttlMs: number;
  /** How old a value may be and still be served, marked stale, while the exchange is down, ms. */
  readonly staleMaxMs: number;
}

export interface EnhancedAdapterOptions {
  /** Per endpoint group circuit breakers. Default 5 failures, 5 s break growing to 60 s, 1 probe. */
  readonly breakers?: Partial<Record<EndpointGroup, Partial<BreakerGroupOptions>>>;
  /** Retries of idempotent calls (reads, status). Default 3 attempts within 10 s, waits 100..2000 ms. */
  readonly retryReads?: Partial<RetryClassOptions>;
  /**
   * Retries of state-changing calls (place, cancel): only when provably not sent or refused by a
   * 429. Default 2 attempts within 2 s.
   */
  readonly retryWrites?: Partial<RetryClassOptions>;
  /** Time allowed per attempt, ms, per group. Default 10 000 each. */
  readonly timeoutMs?: Partial<Record<EndpointGroup, number>>;
  /** Longest a call waits for local rate budget before failing, ms. Default 5 000. */
  readonly rateLimitWaitMaxMs?: number;
  /** Share of each documented limit Keel spends, in (0, 1]. Default 1. */
  readonly rateLimitShare?: number;
  /** Longest server back-off honoured as a local penalty, ms. Default 3 600 000. */
  readonly penaltyMaxMs?: number;
  readonly cache?: {
    readonly orderBook?: Partial<CacheClassOptions>;
    readonly marketStats?: Partial<CacheClassOptions>;
    readonly options?: Partial<CacheClassOptions>;
    readonly wallets?: Partial<CacheClassOptions>;
  };
  /** Entries per cache (order books per market, stats per filter). Default 100. */
  readonly cacheEntriesMax?: number;
}

export type CacheName = 'orderBook' | 'marketStats' | 'options' | 'wallets';
export const CACHE_NAMES: readonly CacheName[] = ['orderBook', 'marketStats', 'options', 'wallets'];

export interface ResolvedAdapterOptions {
  readonly breakers: Readonly<Record<EndpointGroup, BreakerGroupOptions>>;
  readonly retryReads: RetryClassOptions;
  readonly retryWrites: RetryClassOptions;
  readonly timeoutMs: Readonly<Record<EndpointGroup, number>>;
  readonly rateLimitWaitMaxMs: number;
  readonly rateLimitShare: number;
  readonly penaltyMaxMs: number;
  readonly cache: Readonly<Record<CacheName, CacheClassOptions>>;
  readonly cacheEntriesMax: number;
}

/** Buckets of the failure-rate window: it slides in tenths. */
export const FAILURE_RATE_BUCKETS = 10;

const BREAKER_DEFAULT: BreakerGroupOptions = {
  kind: 'consecutiveOrSampling',
  failuresMax: 5,
  breakDurationMs: 5_000,
  breakDelayMaxMs: 60_000,
  halfOpenProbesMax: 1,
  failureRateThreshold: 0.5,
  failureRateWindowMs: 300_000,
  failureRateCallsMin: 6,
  windowCallCount: 100,
  slowCallDurationMs: Number.POSITIVE_INFINITY,
};

export const ENHANCED_ADAPTER_DEFAULTS: ResolvedAdapterOptions = {
  breakers: { orders: BREAKER_DEFAULT, account: BREAKER_DEFAULT, marketData: BREAKER_DEFAULT },
  retryReads: { attemptsMax: 3, elapsedMaxMs: 10_000, delayInitialMs: 100, delayMaxMs: 2_000 },
  retryWrites: { attemptsMax: 2, elapsedMaxMs: 2_000, delayInitialMs: 100, delayMaxMs: 500 },
  timeoutMs: { orders: 10_000, account: 10_000, marketData: 10_000 },
  rateLimitWaitMaxMs: 5_000,
  rateLimitShare: 1,
  penaltyMaxMs: 3_600_000,
  cache: {
    orderBook: { ttlMs: 1_000, staleMaxMs: 60_000 },
    marketStats: { ttlMs: 5_000, staleMaxMs: 300_000 },
    options: { ttlMs: 600_000, staleMaxMs: 86_400_000 },
    wallets: { ttlMs: 5_000, staleMaxMs: 120_000 },
  },
  cacheEntriesMax: 100,
};

const GROUPS: readonly EndpointGroup[] = ['orders', 'account', 'marketData'];

/** Merges over the defaults, validates every field and the relations between them, freezes. */
export function resolveAdapterOptions(options: EnhancedAdapterOptions = {}): ResolvedAdapterOptions {
  const d = ENHANCED_ADAPTER_DEFAULTS;
  const breakers = Object.fromEntries(
    GROUPS.map((group) => [
      group,
      checkBreaker(group, { ...d.breakers[group], ...options.breakers?.[group] }),
    ]),
  ) as Record<EndpointGroup, BreakerGroupOptions>;
  const timeoutMs = { ...d.timeoutMs, ...options.timeoutMs };
  for (const group of GROUPS) positive(`timeoutMs.${group}`, timeoutMs[group]);
  const cache = Object.fromEntries(
    CACHE_NAMES.map((name) => [name, checkCache(name, { ...d.cache[name], ...options.cache?.[name] })]),
  ) as Record<CacheName, CacheClassOptions>;
  const resolved: ResolvedAdapterOptions = {
    breakers,
    retryReads: checkRetry('retryReads', { ...d.retryReads, ...options.retryReads }),
    retryWrites: checkRetry('retryWrites', { ...d.retryWrites, ...options.retryWrites }),
    timeoutMs,
    rateLimitWaitMaxMs: nonNegative('rateLimitWaitMaxMs', options.rateLimitWaitMaxMs ?? d.rateLimitWaitMaxMs),
    rateLimitShare: options.rateLimitShare ?? d.rateLimitShare,
    penaltyMaxMs: positive('penaltyMaxMs', options.penaltyMaxMs ?? d.penaltyMaxMs),
    cache,
    cacheEntriesMax: integer('cacheEntriesMax', options.cacheEntriesMax ?? d.cacheEntriesMax, 1, 100_000),
  };
  if (!(resolved.rateLimitShare > 0 && resolved.rateLimitShare <= 1))
    throw new RangeError(`rateLimitShare must be in (0, 1], was ${resolved.rateLimitShare}`);
  return Object.freeze(resolved);
}

function checkBreaker(group: EndpointGroup, value: BreakerGroupOptions): BreakerGroupOptions {
  if (!BREAKER_KINDS.includes(value.kind))
    throw new RangeError(
      `breakers.${group}.kind must be one of ${BREAKER_KINDS.join(', ')}, was ${value.kind}`,
    );
  // The count kind needs its window to hold callsMin calls; the others never read windowCallCount.
  const windowCallsMin = value.kind === 'count' ? value.failureRateCallsMin : 1;
  integer(`breakers.${group}.windowCallCount`, value.windowCallCount, windowCallsMin, 100_000);
  if (!(value.slowCallDurationMs > 0))
    throw new RangeError(
      `breakers.${group}.slowCallDurationMs must be > 0 (Infinity: none is slow), was ${value.slowCallDurationMs}`,
    );
  integer(`breakers.${group}.failuresMax`, value.failuresMax, 1, 1_000);
  integer(`breakers.${group}.halfOpenProbesMax`, value.halfOpenProbesMax, 1, 1_000);
  positive(`breakers.${group}.breakDurationMs`, value.breakDurationMs);
  positive(`breakers.${group}.breakDelayMaxMs`, value.breakDelayMaxMs);
  integer(`breakers.${group}.failureRateCallsMin`, value.failureRateCallsMin, 1, 1_000);
  if (!(value.failureRateThreshold > 0 && value.failureRateThreshold <= 1))
    throw new RangeError(
      `breakers.${group}.failureRateThreshold must be in (0, 1], was ${value.failureRateThreshold}`,
    );
  if (!Number.isInteger(value.failureRateWindowMs / FAILURE_RATE_BUCKETS) || value.failureRateWindowMs <= 0)
    throw new RangeError(
      `breakers.${group}.failureRateWindowMs must be a positive multiple of ${FAILURE_RATE_BUCKETS}, was ${value.failureRateWindowMs}`,
    );
  if (value.breakDelayMaxMs < value.breakDurationMs)
    throw new RangeError(
      `breakers.${group}.breakDelayMaxMs must be >= breakDurationMs ${value.breakDurationMs}, was ${value.breakDelayMaxMs}`,
    );
  return value;
}

function checkRetry(name: string, value: RetryClassOptions): RetryClassOptions {
  integer(`${name}.attemptsMax`, value.attemptsMax, 1, 100);
  positive(`${name}.elapsedMaxMs`, value.elapsedMaxMs);
  nonNegative(`${name}.delayInitialMs`, value.delayInitialMs);
  nonNegative(`${name}.delayMaxMs`, value.delayMaxMs);
  if (value.delayMaxMs < value.delayInitialMs)
    throw new RangeError(
      `${name}.delayMaxMs must be >= delayInitialMs ${value.delayInitialMs}, was ${value.delayMaxMs}`,
    );
  return value;
}

function checkCache(name: CacheName, value: CacheClassOptions): CacheClassOptions {
  positive(`cache.${name}.ttlMs`, value.ttlMs);
  positive(`cache.${name}.staleMaxMs`, value.staleMaxMs);
  if (value.staleMaxMs < value.ttlMs)
    throw new RangeError(`cache.${name}.staleMaxMs must be >= ttlMs ${value.ttlMs}, was ${value.staleMaxMs}`);
  return value;
}

function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0))
    throw new RangeError(`${name} must be a positive finite number, was ${value}`);
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!(Number.isFinite(value) && value >= 0))
    throw new RangeError(`${name} must be a finite number >= 0, was ${value}`);
  return value;
}

function integer(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], was ${value}`);
  return value;
}
