// The config's breaker of one endpoint group (a kind and that kind's parameters) as the adapter's
// breaker options: only the kind's own parameters are passed; the rest keep the adapter's defaults.
import type { KeelConfig } from '../config/index.js';
import type { BreakerGroupOptions } from '../exchange/enhanced-nobitex-adapter/adapter-options.js';

type BreakerConfig = KeelConfig['nobitex']['breaker']['orders'];

/** The adapter's options for one group's breaker: the kind's own parameters, the timing every kind shares. */
export function breakerOptions(breaker: BreakerConfig): Partial<BreakerGroupOptions> {
  const timing = {
    kind: breaker.kind,
    breakDurationMs: breaker.breakDurationMs,
    breakDelayMaxMs: Math.max(breaker.breakDurationMs, breaker.breakDurationMaxMs),
    halfOpenProbesMax: breaker.halfOpenProbesMax,
    ...(breaker.slowCallDurationMs === undefined ? {} : { slowCallDurationMs: breaker.slowCallDurationMs }),
  };
  switch (breaker.kind) {
    case 'consecutive':
      return { ...timing, failuresMax: breaker.failureThreshold };
    case 'count':
      return {
        ...timing,
        failureRateThreshold: breaker.failureRateThreshold,
        windowCallCount: breaker.windowCallCount,
        failureRateCallsMin: breaker.failureRateCallsMin,
      };
    case 'sampling':
      return { ...timing, ...rateOptions(breaker) };
    case 'consecutiveOrSampling':
      return { ...timing, failuresMax: breaker.failureThreshold, ...rateOptions(breaker) };
  }
}

function rateOptions(breaker: {
  failureRateThreshold: number;
  failureRateWindowMs: number;
  failureRateCallsMin: number;
}) {
  return {
    failureRateThreshold: breaker.failureRateThreshold,
    failureRateWindowMs: breaker.failureRateWindowMs,
    failureRateCallsMin: breaker.failureRateCallsMin,
  };
}
