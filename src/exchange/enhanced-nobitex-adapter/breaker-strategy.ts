// The strategy that decides when one endpoint group's circuit opens, built from the group's options:
// the kind names it, and only that kind's parameters are read.
import { AnyBreaker } from '../../core/breaker/any-breaker.js';
import type { Breaker } from '../../core/breaker/breaker.js';
import { ConsecutiveBreaker } from '../../core/breaker/consecutive-breaker.js';
import { CountBreaker } from '../../core/breaker/count-breaker.js';
import { SamplingBreaker } from '../../core/breaker/sampling-breaker.js';
import type { Clock } from '../../core/clock.js';
import { type BreakerGroupOptions, FAILURE_RATE_BUCKETS } from './adapter-options.js';

export function createBreakerStrategy(options: BreakerGroupOptions, clock: Clock): Breaker {
  switch (options.kind) {
    case 'consecutive':
      return consecutive(options);
    case 'sampling':
      return sampling(options, clock);
    case 'count':
      return new CountBreaker({
        threshold: options.failureRateThreshold,
        windowCallCount: options.windowCallCount,
        callsMin: options.failureRateCallsMin,
      });
    case 'consecutiveOrSampling':
      // Failures in a row, or a failure rate over a time window: spread-out failures open it too.
      return new AnyBreaker([consecutive(options), sampling(options, clock)]);
  }
}

const consecutive = (options: BreakerGroupOptions) =>
  new ConsecutiveBreaker({ failuresMax: options.failuresMax });

const sampling = (options: BreakerGroupOptions, clock: Clock) =>
  new SamplingBreaker({
    threshold: options.failureRateThreshold,
    windowMs: options.failureRateWindowMs,
    bucketCount: FAILURE_RATE_BUCKETS,
    callsMin: options.failureRateCallsMin,
    clock,
  });
