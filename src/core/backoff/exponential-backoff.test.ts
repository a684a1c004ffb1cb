// Goal: full-jitter exponential backoff grows its ceiling, stays in range, is immutable and seeded.
// Method: a seeded Rng and a scripted Rng; walk the steps with next().
import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../random.js';
import type { Backoff } from './backoff.js';
import { ExponentialBackoff } from './exponential-backoff.js';

const fixedRng = (value: number): Rng => ({ next: () => value });

function durations(backoff: Backoff, count: number): number[] {
  const out: number[] = [];
  let step = backoff;
  for (let i = 0; i < count; i++) {
    step = step.next();
    out.push(step.duration);
  }
  return out;
}

describe('ExponentialBackoff', () => {
  it('has no wait before the first attempt', () => {
    expect(new ExponentialBackoff().duration).toBe(0);
  });

  it('doubles the ceiling per step until delayMaxMs', () => {
    const backoff = new ExponentialBackoff({
      delayInitialMs: 100,
      delayMaxMs: 1_000,
      rng: fixedRng(0.999_999),
    });
    expect(durations(backoff, 6)).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('draws full jitter down to zero', () => {
    const backoff = new ExponentialBackoff({ delayInitialMs: 100, rng: fixedRng(0) });
    expect(durations(backoff, 3)).toEqual([0, 0, 0]);
  });

  it('honours a custom exponent', () => {
    const backoff = new ExponentialBackoff({ delayInitialMs: 10, exponent: 3, rng: fixedRng(0.999_999) });
    expect(durations(backoff, 3)).toEqual([10, 30, 90]);
  });

  it('keeps every draw within [0, ceiling] for a seeded rng', () => {
    const backoff = new ExponentialBackoff({ delayInitialMs: 50, delayMaxMs: 5_000, rng: createRng(7) });
    durations(backoff, 200).forEach((ms, index) => {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThanOrEqual(Math.min(5_000, 50 * 2 ** index));
    });
  });

  it('never overflows to Infinity or NaN after many steps', () => {
    const backoff = new ExponentialBackoff({ delayInitialMs: 1, delayMaxMs: 60_000, rng: fixedRng(0.5) });
    const last = durations(backoff, 2_000).at(-1);
    expect(last).toBe(30_000);
  });

  it('returns a new step and leaves the old one unchanged', () => {
    const first = new ExponentialBackoff({ rng: createRng(1) }).next();
    const before = first.duration;
    const second = first.next();
    expect(second).not.toBe(first);
    expect(first.duration).toBe(before);
  });

  it('draws fresh jitter for each execution starting from the configured backoff', () => {
    const backoff = new ExponentialBackoff({ delayInitialMs: 10_000, rng: createRng(3) });
    const firsts = new Set(Array.from({ length: 20 }, () => backoff.next().duration));
    expect(firsts.size).toBeGreaterThan(10);
  });

  it.each([
    [{ delayInitialMs: -1 }, /delayInitialMs .* was -1/],
    [{ delayMaxMs: Number.NaN }, /delayMaxMs .* was NaN/],
    [{ delayInitialMs: 500, delayMaxMs: 100 }, /delayMaxMs must be >= delayInitialMs \(500\), was 100/],
    [{ exponent: 0.5 }, /exponent .* was 0.5/],
    [{ exponent: Number.POSITIVE_INFINITY }, /exponent .* was Infinity/],
  ])('rejects bad options %o', (options, message) => {
    expect(() => new ExponentialBackoff(options)).toThrow(RangeError);
    expect(() => new ExponentialBackoff(options)).toThrow(message);
  });
});
