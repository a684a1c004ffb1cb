// The resilience policy of one channel: breaker (outer) → retry → timeout (per attempt). The breaker
// counts a whole retried delivery as one outcome, so a dead peer opens it after failuresMax
// notifications and later ones are rejected at once instead of waiting out timeouts.
import { DecorrelatedJitterBackoff } from '../../../core/backoff/decorrelated-jitter-backoff.js';
import { ExponentialBackoff } from '../../../core/backoff/exponential-backoff.js';
import { ConsecutiveBreaker } from '../../../core/breaker/consecutive-breaker.js';
import { CircuitBreakerPolicy } from '../../../core/circuit-breaker.js';
import type { Clock } from '../../../core/clock.js';
import { isAbortedError, isRateLimitedError, isTimeoutError } from '../../../core/errors.js';
import type { Policy } from '../../../core/policy.js';
import type { Rng } from '../../../core/random.js';
import { type RetryClassifier, RetryPolicy } from '../../../core/retry.js';
import {
  retryAfter,
  retryDecision,
  retryPolicyTable,
  rule,
  stopDecision,
} from '../../../core/retry-policy-table.js';
import { TimeoutPolicy } from '../../../core/timeout.js';
import { wrap } from '../../../core/wrap.js';
import { isChannelDeliveryError } from './errors.js';

export interface ChannelPolicyTuning {
  /** Failed deliveries in a row that open the breaker. Default 5. */
  readonly failuresMax?: number;
  /** First break of the breaker, ms; later ones grow with jitter. Default 30_000. */
  readonly breakDurationMs?: number;
  /** Longest break, ms. Default 300_000. */
  readonly breakDurationMaxMs?: number;
  /** Attempts per delivery, the first included. Default 3. */
  readonly attemptsMax?: number;
  /** Upper bound of the first retry wait (full jitter), ms. Default 1_000. */
  readonly retryDelayInitialMs?: number;
  /** Upper bound of any retry wait, ms. Default 30_000. */
  readonly retryDelayMaxMs?: number;
  /** Budget of one delivery with its retries, ms. Default max(120_000, 2 × attemptsMax × timeoutMs). */
  readonly elapsedMaxMs?: number;
}

export interface ChannelPolicyOptions extends ChannelPolicyTuning {
  /** Time allowed per attempt, ms. */
  readonly timeoutMs: number;
  readonly clock: Clock;
  readonly rng: Rng;
}

export interface ChannelPolicy {
  readonly policy: Policy;
  readonly breaker: CircuitBreakerPolicy;
  readonly retry: RetryPolicy;
  readonly timeout: TimeoutPolicy;
}

export const CHANNEL_POLICY_DEFAULTS = {
  failuresMax: 5,
  breakDurationMs: 30_000,
  breakDurationMaxMs: 300_000,
  attemptsMax: 3,
  retryDelayInitialMs: 1_000,
  retryDelayMaxMs: 30_000,
} as const;

/** Server-given waits are honoured exactly; permanent failures (bad token, 4xx) are not retried. */
export const channelRetryClassifier: RetryClassifier = retryPolicyTable(
  [
    rule(isAbortedError, stopDecision),
    rule(isRateLimitedError, (error) => retryAfter(error.retryAfterMs)),
    rule(isChannelDeliveryError, (error) => (error.retryable ? retryDecision : stopDecision)),
    rule(isTimeoutError, retryDecision),
  ],
  retryDecision,
);

export function createChannelPolicy(options: ChannelPolicyOptions): ChannelPolicy {
  const tuning = withDefaults(options);
  const elapsedMaxMs = options.elapsedMaxMs ?? Math.max(120_000, 2 * tuning.attemptsMax * options.timeoutMs);
  if (!(elapsedMaxMs > options.timeoutMs))
    throw new RangeError(`elapsedMaxMs must exceed timeoutMs (${options.timeoutMs}), was ${elapsedMaxMs}`);
  const breaker = new CircuitBreakerPolicy({
    breaker: new ConsecutiveBreaker({ failuresMax: tuning.failuresMax }),
    breakBackoff: new DecorrelatedJitterBackoff({
      delayInitialMs: tuning.breakDurationMs,
      delayMaxMs: tuning.breakDurationMaxMs,
      rng: options.rng,
    }),
    clock: options.clock,
  });
  const retry = new RetryPolicy({
    attemptsMax: tuning.attemptsMax,
    elapsedMaxMs,
    backoff: new ExponentialBackoff({
      delayInitialMs: tuning.retryDelayInitialMs,
      delayMaxMs: tuning.retryDelayMaxMs,
      rng: options.rng,
    }),
    classify: channelRetryClassifier,
    retryAfterJitterRatio: 0,
    clock: options.clock,
    rng: options.rng,
  });
  const timeout = new TimeoutPolicy({
    durationMs: options.timeoutMs,
    strategy: 'cooperative',
    clock: options.clock,
  });
  return { policy: wrap(breaker, retry, timeout), breaker, retry, timeout };
}

function withDefaults(tuning: ChannelPolicyTuning): Required<Omit<ChannelPolicyTuning, 'elapsedMaxMs'>> {
  const d = CHANNEL_POLICY_DEFAULTS;
  return {
    failuresMax: tuning.failuresMax ?? d.failuresMax,
    breakDurationMs: tuning.breakDurationMs ?? d.breakDurationMs,
    breakDurationMaxMs: tuning.breakDurationMaxMs ?? d.breakDurationMaxMs,
    attemptsMax: tuning.attemptsMax ?? d.attemptsMax,
    retryDelayInitialMs: tuning.retryDelayInitialMs ?? d.retryDelayInitialMs,
    retryDelayMaxMs: tuning.retryDelayMaxMs ?? d.retryDelayMaxMs,
  };
}
