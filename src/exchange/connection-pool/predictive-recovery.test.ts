// Predictive recovery's decisions on scripted samples: drain on a rising latency trend when a sibling
// can take the traffic, throttle when none can, unthrottle and restore only on healthy trends.
import { describe, expect, it } from 'vitest';
import { LatencyTrend, type TrendSample } from './latency-trend.js';
import { PredictiveRecovery } from './predictive-recovery.js';
import type { EndpointGroup } from './transport.js';

const make = () => new PredictiveRecovery({ timeoutMs: 10_000, probesToRestore: 2 });
const A = 'http://a.example';
const call = (sample: TrendSample, canDrain: boolean, group: EndpointGroup = 'marketData') => ({
  baseUrl: A,
  group,
  sample,
  canDrain,
});

describe('LatencyTrend', () => {
  it('fits a rising line over the window and forgets samples older than it', () => {
    const trend = new LatencyTrend(60_000, 100);
    for (let s = 0; s <= 100; s++) trend.add({ atMs: s * 1_000, latencyMs: 100 + 50 * s, ok: true });
    const fitted = trend.fit(100_000, 10_000);
    expect(fitted.sampleCount).toBe(61);
    expect(fitted.slopeMsPerS).toBeCloseTo(50);
    expect(fitted.latencyNowMs).toBeCloseTo(5_100);
    expect(fitted.forecastMs).toBeCloseTo(5_600);
  });

  it('projects a step (latency jumps once, then holds) at its new level, not as a climb', () => {
    const trend = new LatencyTrend(60_000, 100);
    for (let i = 0; i < 6; i++) trend.add({ atMs: i * 100, latencyMs: 5, ok: true });
    for (let i = 6; i < 12; i++) trend.add({ atMs: i * 100, latencyMs: 400, ok: true });
    const fitted = trend.fit(1_100, 15_000);
    expect(fitted.slopeMsPerS).toBeGreaterThan(100); // the whole window's line climbs steeply
    expect(fitted.forecastMs).toBeLessThan(450); // the newest half holds at 400 ms
  });

  it('projects no further ahead than its samples span', () => {
    const trend = new LatencyTrend(60_000, 100);
    for (let i = 0; i <= 10; i++) trend.add({ atMs: i * 100, latencyMs: 100 + 10 * i, ok: true });
    const fitted = trend.fit(1_000, 15_000); // 1 s of samples climbing 100 ms/s
    // 200 ms now, +50 ms over the 0.5 s the newest half spans, not +1 500 ms over 15 s.
    expect(fitted.forecastMs).toBeCloseTo(250);
  });

  it('refuses a window of zero', () => {
    expect(() => new LatencyTrend(0, 10)).toThrow(/windowMs must be positive, was 0/);
  });
});

describe('PredictiveRecovery', () => {
  it('drains an endpoint whose latency heads for the threshold, then ignores its stragglers', () => {
    const recovery = make();
    const actions = [];
    for (let s = 0; s < 60; s++) {
      const action = recovery.recordCall(call({ atMs: s * 1_000, latencyMs: 100 + 100 * s, ok: true }, true));
      if (action !== undefined) actions.push(action);
    }
    expect(actions.map((a) => a.action)).toEqual(['drain']);
    expect(actions[0]?.trend.latencyNowMs).toBeLessThan(6_000);
    expect(recovery.isDrained(A)).toBe(true);
  });

  it("drains on one group's own trend even when the endpoint's overall trend looks healthy", () => {
    const recovery = make();
    let drained: ReturnType<PredictiveRecovery['recordCall']>;
    for (let s = 0; s < 40 && drained === undefined; s++) {
      // Fast market data every second hides slow orders in the endpoint-wide fit.
      for (let i = 0; i < 5; i++)
        recovery.recordCall(call({ atMs: s * 1_000 + i, latencyMs: 20, ok: true }, true));
      drained = recovery.recordCall(
        call({ atMs: s * 1_000 + 5, latencyMs: 200 * s, ok: true }, true, 'orders'),
      );
    }
    expect(drained).toMatchObject({ action: 'drain', scope: 'orders', reason: 'latencyTrend' });
  });

  it('throttles when no sibling can take the traffic, and lifts it on a healthy trend', () => {
    const recovery = make();
    const kinds: string[] = [];
    const record = (atMs: number, ok: boolean) => {
      const action = recovery.recordCall(call({ atMs, latencyMs: 100, ok }, false));
      if (action !== undefined) kinds.push(`${action.action}:${action.reason}`);
    };
    for (let s = 0; s < 10; s++) record(s * 1_000, false);
    expect(recovery.throttled).toBe(true);
    for (let s = 100; s < 110; s++) record(s * 1_000, true);
    expect(kinds).toEqual(['throttle:errorTrend', 'unthrottle:healthyTrend']);
    expect(recovery.throttled).toBe(false);
  });

  it('restores a drained endpoint only after enough good probes in a row', () => {
    const recovery = make();
    for (let s = 0; s < 10; s++)
      recovery.recordCall(call({ atMs: s * 1_000, latencyMs: 9_000, ok: true }, true));
    expect(recovery.isDrained(A)).toBe(true);
    expect(recovery.recordProbe(A, { atMs: 20_000, latencyMs: 100, ok: true })).toBeUndefined();
    expect(recovery.recordProbe(A, { atMs: 25_000, latencyMs: 9_500, ok: true })).toBeUndefined();
    expect(recovery.recordProbe(A, { atMs: 30_000, latencyMs: 100, ok: true })).toBeUndefined();
    expect(recovery.recordProbe(A, { atMs: 35_000, latencyMs: 110, ok: true })).toMatchObject({
      action: 'restore',
      reason: 'healthyTrend',
    });
    expect(recovery.isDrained(A)).toBe(false);
  });

  it('takes no action on a latency that steps up once and holds below the threshold', () => {
    // A fault that adds 400 ms to every call of a busy pool (a call each 100 ms): threshold 1 200 ms.
    const recovery = new PredictiveRecovery({ timeoutMs: 2_000, probesToRestore: 2 });
    const actions = [];
    for (let i = 0; i < 200; i++) {
      const latencyMs = i < 10 ? 5 : 400;
      const action = recovery.recordCall(call({ atMs: i * 100, latencyMs, ok: true }, false, 'orders'));
      if (action !== undefined) actions.push(action);
    }
    expect(actions).toEqual([]);
  });

  it('refuses options out of range', () => {
    expect(
      () => new PredictiveRecovery({ timeoutMs: 10_000, probesToRestore: 2, timeoutShare: 1.5 }),
    ).toThrow(/timeoutShare must be in \(0, 1\], was 1.5/);
  });
});
