// Goal: AnyBreaker opens when any part would, feeds every call to every part, and round-trips its state.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.js';
import { AnyBreaker } from './any-breaker.js';
import { ConsecutiveBreaker } from './consecutive-breaker.js';
import { SamplingBreaker } from './sampling-breaker.js';

const build = (clock: FakeClock) =>
  new AnyBreaker([
    new ConsecutiveBreaker({ failuresMax: 3 }),
    new SamplingBreaker({ threshold: 0.5, windowMs: 60_000, bucketCount: 10, callsMin: 4, clock }),
  ]);

describe('AnyBreaker', () => {
  it('opens on failures in a row', () => {
    const breaker = build(new FakeClock(1_000_000));
    expect([breaker.failure(1), breaker.failure(1), breaker.failure(1)]).toEqual([false, false, true]);
  });

  it('opens on a failure rate even when successes break every run of failures', () => {
    const breaker = build(new FakeClock(1_000_000));
    breaker.failure(1);
    breaker.success(1);
    breaker.failure(1);
    breaker.success(1);
    expect(breaker.failure(1)).toBe(true); // 3 of 5 calls failed
  });

  it('restores what it exported and refuses a snapshot of another shape', () => {
    const clock = new FakeClock(1_000_000);
    const source = build(clock);
    source.failure(1);
    source.failure(1);
    const target = build(clock);
    target.restore(source.toJSON());
    expect(target.toJSON()).toEqual(source.toJSON());
    expect(target.failure(1)).toBe(true);
    expect(() => target.restore({ kind: 'any', parts: [] })).toThrow(TypeError);
    expect(() => target.restore({ kind: 'consecutive', failureCount: 1 })).toThrow(TypeError);
    expect(() => new AnyBreaker([])).toThrow(RangeError);
  });
});
