// Goal: a group's breaker kind decides when its circuit opens, from that kind's parameters only.
// Method: feed each strategy the same scripted calls and compare when failure() says open.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { ENHANCED_ADAPTER_DEFAULTS, resolveAdapterOptions } from './adapter-options.js';
import { createBreakerStrategy } from './breaker-strategy.js';

const orders = (override: object) =>
  resolveAdapterOptions({ breakers: { orders: override } }).breakers.orders;

/** Alternating success/failure: a 50 % rate, never two failures in a row. Returns the call that opened. */
function openingCall(override: object, callsMax = 40): number | undefined {
  const breaker = createBreakerStrategy(orders(override), new FakeClock());
  for (let call = 1; call <= callsMax; call++) {
    if (call % 2 === 1) breaker.success(1);
    else if (breaker.failure(1)) return call;
  }
  return undefined;
}

describe('createBreakerStrategy', () => {
  it('keeps the old default: consecutive failures or a failure rate over time', () => {
    expect(ENHANCED_ADAPTER_DEFAULTS.breakers.orders.kind).toBe('consecutiveOrSampling');
    expect(openingCall({ failureRateCallsMin: 6 })).toBe(6);
  });

  it('consecutive ignores a failure rate that never has two failures in a row', () => {
    expect(openingCall({ kind: 'consecutive', failuresMax: 2 })).toBeUndefined();
  });

  it('count opens on the rate over its last calls once it holds callsMin of them', () => {
    expect(openingCall({ kind: 'count', failureRateCallsMin: 10, windowCallCount: 20 })).toBe(10);
    expect(openingCall({ kind: 'count', failureRateThreshold: 0.6, windowCallCount: 20 })).toBeUndefined();
  });

  it('sampling opens on the rate over its time window', () => {
    expect(openingCall({ kind: 'sampling', failureRateCallsMin: 12 })).toBe(12);
  });

  it('refuses a count window smaller than its minimum, naming the value', () => {
    expect(() => orders({ kind: 'count', windowCallCount: 3, failureRateCallsMin: 6 })).toThrow(
      'breakers.orders.windowCallCount must be an integer in [6, 100000], was 3',
    );
  });
});
