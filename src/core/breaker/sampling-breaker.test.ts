// Goal: the time-based window counts only calls within windowMs, by buckets read from the clock.
// Method: FakeClock with setNow() to move time; no timers are involved.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.js';
import { SamplingBreaker } from './sampling-breaker.js';

const START_MS = 1_000_000;

describe('SamplingBreaker', () => {
  it('opens when the failure rate in the window reaches the threshold after callsMin calls', () => {
    const clock = new FakeClock(START_MS);
    const breaker = new SamplingBreaker({
      threshold: 0.5,
      windowMs: 10_000,
      bucketCount: 10,
      callsMin: 4,
      clock,
    });
    breaker.success(0);
    breaker.success(0);
    expect(breaker.failure(0)).toBe(false);
    expect(breaker.failure(0)).toBe(true);
  });

  it('forgets calls older than the window', () => {
    const clock = new FakeClock(START_MS);
    const breaker = new SamplingBreaker({
      threshold: 0.5,
      windowMs: 10_000,
      bucketCount: 10,
      callsMin: 2,
      clock,
    });
    breaker.failure(0);
    clock.setNow(START_MS + 10_000);
    expect(breaker.failure(0)).toBe(false); // the first failure left the window
    expect(breaker.failure(0)).toBe(true);
  });

  it('keeps calls from earlier buckets that are still in the window', () => {
    const clock = new FakeClock(START_MS);
    const breaker = new SamplingBreaker({
      threshold: 1,
      windowMs: 10_000,
      bucketCount: 10,
      callsMin: 3,
      clock,
    });
    breaker.failure(0);
    clock.setNow(START_MS + 4_000);
    breaker.failure(0);
    clock.setNow(START_MS + 9_500);
    expect(breaker.failure(0)).toBe(true);
  });

  it('ignores buckets from the future when the clock steps back', () => {
    const clock = new FakeClock(START_MS + 5_000);
    const breaker = new SamplingBreaker({
      threshold: 0.5,
      windowMs: 10_000,
      bucketCount: 10,
      callsMin: 2,
      clock,
    });
    breaker.failure(0);
    clock.setNow(START_MS);
    expect(breaker.failure(0)).toBe(false);
  });

  it('round-trips live buckets into a new instance', () => {
    const clock = new FakeClock(START_MS);
    const options = { threshold: 0.5, windowMs: 10_000, bucketCount: 10, callsMin: 3, clock };
    const source = new SamplingBreaker(options);
    source.failure(0);
    clock.setNow(START_MS + 2_000);
    source.success(0);
    const target = new SamplingBreaker(options);
    target.restore(source.toJSON());
    expect(target.toJSON()).toEqual(source.toJSON());
    expect(target.failure(0)).toBe(true);
  });

  it('rejects a snapshot with another bucket size', () => {
    const clock = new FakeClock(START_MS);
    const breaker = new SamplingBreaker({ threshold: 0.5, windowMs: 10_000, bucketCount: 10, clock });
    expect(() => breaker.restore({ kind: 'sampling', bucketMs: 500, buckets: [] })).toThrow(
      'sampling snapshot bucketMs must be 1000, was 500',
    );
    expect(() =>
      breaker.restore({ kind: 'sampling', bucketMs: 1_000, buckets: [{ epochIndex: -5 }] }),
    ).toThrow(TypeError);
  });

  it.each([
    [{ threshold: 0.5, windowMs: 0 }, 'windowMs must be an integer in [1, 86400000], was 0'],
    [{ threshold: 0.5, bucketCount: 0 }, 'bucketCount must be an integer in [1, 1000], was 0'],
    [
      { threshold: 0.5, windowMs: 1_000, bucketCount: 3 },
      'windowMs must be a multiple of bucketCount (3), was 1000',
    ],
    [{ threshold: 0.5, callsMin: 0 }, 'callsMin must be an integer'],
  ])('rejects options %o', (options, message) => {
    expect(() => new SamplingBreaker(options)).toThrow(message);
  });
});
