// Goal: health bookkeeping marks endpoints down and up at the configured thresholds and weights
// traffic by latency and errors. Method: direct calls with chosen samples.
import { describe, expect, it } from 'vitest';
import { EndpointHealth, pickWeighted } from './endpoint-health.js';

const options = {
  ewmaAlpha: 0.5,
  failuresToMarkDown: 3,
  probeSuccessesToRecover: 2,
  latencyReferenceMs: 100,
};

describe('EndpointHealth', () => {
  it('marks down after consecutive failures only, a success in between resets the count', () => {
    const health = new EndpointHealth('http://a', 1, options);
    health.recordFailure(1, 'connectRefused');
    health.recordFailure(2, 'connectRefused');
    health.recordSuccess(10);
    expect(health.recordFailure(3, 'connectRefused')).toBe(false);
    health.recordFailure(4, 'connectRefused');
    expect(health.recordFailure(5, 'socketReset')).toBe(true);
    expect(health.snapshot()).toMatchObject({
      state: 'down',
      consecutiveFailures: 3,
      lastFailureAtMs: 5,
      lastFailureReason: 'socketReset',
      weight: 0,
    });
  });

  it('comes back up after the configured number of consecutive good probes', () => {
    const health = new EndpointHealth('http://a', 1, { ...options, failuresToMarkDown: 1 });
    health.recordFailure(1, 'dns');
    expect(health.recordProbe(true, 2)).toBe(false);
    expect(health.recordProbe(false, 3)).toBe(false);
    expect(health.recordProbe(true, 4)).toBe(false);
    expect(health.recordProbe(true, 5)).toBe(true);
    expect(health.isUp).toBe(true);
  });

  it('weighs slow and failing endpoints lower', () => {
    const fast = new EndpointHealth('http://fast', 1, options);
    const slow = new EndpointHealth('http://slow', 1, options);
    fast.recordSuccess(10);
    slow.recordSuccess(400);
    expect(fast.weight()).toBeGreaterThan(slow.weight() * 3);
    const flaky = new EndpointHealth('http://flaky', 1, options);
    flaky.recordSuccess(10);
    flaky.recordFailure(1, 'socketReset');
    expect(flaky.weight()).toBeLessThan(fast.weight());
  });
});

describe('pickWeighted', () => {
  it('picks proportionally to weight and never a down endpoint', () => {
    const a = new EndpointHealth('http://a', 3, options);
    const b = new EndpointHealth('http://b', 1, options);
    expect(pickWeighted([a, b], 0)).toBe(a);
    expect(pickWeighted([a, b], 0.74)).toBe(a);
    expect(pickWeighted([a, b], 0.76)).toBe(b);
    const down = new EndpointHealth('http://down', 100, { ...options, failuresToMarkDown: 1 });
    down.recordFailure(1, 'dns');
    expect(pickWeighted([down, b], 0)).toBe(b);
    expect(pickWeighted([down], 0.5)).toBeUndefined();
  });
});
