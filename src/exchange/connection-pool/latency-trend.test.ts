// Goal: the running-sums trend fits exactly what a fresh pass over its window fits, whatever mix of
// adds, count evictions, age evictions and clears came before. Method: seeded random scripts against
// the two-pass least squares over the same window.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../core/random.js';
import { LatencyTrend, type TrendSample } from './latency-trend.js';

/** The fit by definition: a two-pass least-squares line over the window's samples. */
function reference(samples: readonly TrendSample[], nowMs: number, horizonMs: number) {
  const line = (points: readonly TrendSample[]) => {
    const n = points.length;
    if (n === 0) return { intercept: 0, slopePerMs: 0 };
    const meanT = points.reduce((sum, p) => sum + (p.atMs - nowMs), 0) / n;
    const meanY = points.reduce((sum, p) => sum + p.latencyMs, 0) / n;
    let covariance = 0;
    let variance = 0;
    for (const p of points) {
      const dt = p.atMs - nowMs - meanT;
      covariance += dt * (p.latencyMs - meanY);
      variance += dt * dt;
    }
    if (variance === 0) return { intercept: meanY, slopePerMs: 0 };
    const slopePerMs = covariance / variance;
    return { intercept: meanY - slopePerMs * meanT, slopePerMs };
  };
  const project = (points: readonly TrendSample[]) => {
    const { intercept, slopePerMs } = line(points);
    const spanMs = points.length < 2 ? 0 : (points.at(-1)?.atMs ?? 0) - (points[0]?.atMs ?? 0);
    return intercept + slopePerMs * Math.min(horizonMs, spanMs);
  };
  const newestHalf = samples.slice(Math.floor(samples.length / 2));
  const latencyNowMs = Math.max(0, Math.min(line(samples).intercept, line(newestHalf).intercept));
  return {
    sampleCount: samples.length,
    latencyNowMs,
    slopeMsPerS: line(samples).slopePerMs * 1_000,
    forecastMs: Math.max(latencyNowMs, Math.min(project(samples), project(newestHalf))),
    errorShare: samples.length === 0 ? 0 : samples.filter((s) => !s.ok).length / samples.length,
  };
}

describe('LatencyTrend (running sums)', () => {
  it.each([1, 2, 3, 4, 5])('fits like a fresh pass over the window (seed %i)', (seed) => {
    const rng = createRng(seed);
    const windowMs = 5_000;
    const samplesMax = 40;
    const trend = new LatencyTrend(windowMs, samplesMax);
    let window: TrendSample[] = [];
    let nowMs = 1_767_225_600_000; // epoch ms, as the pool records them
    for (let step = 0; step < 3_000; step++) {
      nowMs += Math.floor(rng.next() * (rng.next() < 0.05 ? 4_000 : 200));
      if (rng.next() < 0.002) {
        trend.clear();
        window = [];
      }
      const sample = { atMs: nowMs, latencyMs: 5 + rng.next() * 500, ok: rng.next() > 0.1 };
      trend.add(sample);
      window.push(sample);
      if (window.length > samplesMax) window.shift();
      const fitted = trend.fit(nowMs, 15_000);
      window = window.filter((s) => s.atMs >= nowMs - windowMs);
      const expected = reference(window, nowMs, 15_000);
      expect(fitted.sampleCount).toBe(expected.sampleCount);
      expect(fitted.errorShare).toBeCloseTo(expected.errorShare, 9);
      expect(fitted.latencyNowMs).toBeCloseTo(expected.latencyNowMs, 6);
      expect(fitted.slopeMsPerS).toBeCloseTo(expected.slopeMsPerS, 6);
      expect(fitted.forecastMs).toBeCloseTo(expected.forecastMs, 6);
    }
  });
});
