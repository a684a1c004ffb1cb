// Goal: one target's health verdict, error rate, latency EWMA and score follow their definitions.
// Method: direct calls with explicit instants and latencies.
import { describe, expect, it } from 'vitest';
import { SCORE_MIN, TargetHealth } from './failover-health.js';

const settings = {
  failuresToUnhealthy: 2,
  successesToHealthy: 3,
  latencyAlpha: 0.5,
  latencyReferenceMs: 100,
  outcomesMax: 4,
};

describe('TargetHealth', () => {
  it('turns unhealthy after failuresToUnhealthy consecutive failures, once', () => {
    const health = new TargetHealth(settings);
    expect(health.recordFailure(10, undefined)).toBe(false);
    expect(health.recordFailure(20, undefined)).toBe(true);
    expect(health.recordFailure(30, undefined)).toBe(false);
    expect(health).toMatchObject({ healthy: false, consecutiveFailures: 3, lastFailureAtMs: 30 });
  });

  it('turns healthy after successesToHealthy consecutive successes; a failure restarts the count', () => {
    const health = new TargetHealth(settings);
    health.recordFailure(0, undefined);
    health.recordFailure(0, undefined);
    health.recordSuccess(undefined);
    health.recordSuccess(undefined);
    health.recordFailure(0, undefined);
    expect(health.recordSuccess(undefined)).toBe(false);
    expect(health.recordSuccess(undefined)).toBe(false);
    expect(health.recordSuccess(undefined)).toBe(true);
    expect(health.healthy).toBe(true);
  });

  it('computes the error rate over the last outcomesMax outcomes', () => {
    const health = new TargetHealth(settings);
    health.recordFailure(0, undefined);
    health.recordFailure(0, undefined);
    health.recordSuccess(undefined);
    health.recordSuccess(undefined);
    expect(health.errorRate()).toBe(0.5);
    health.recordSuccess(undefined);
    health.recordSuccess(undefined);
    expect(health.errorRate()).toBe(0);
  });

  it('scores by error rate and latency EWMA, never below SCORE_MIN', () => {
    const health = new TargetHealth(settings);
    expect(health.score()).toBe(1);
    health.recordSuccess(100);
    health.recordSuccess(300);
    expect(health.latencyEwmaMs).toBe(200);
    expect(health.score()).toBeCloseTo(100 / 300, 10);
    for (let i = 0; i < 4; i++) health.recordFailure(0, 200);
    expect(health.score()).toBe(SCORE_MIN);
  });
});
