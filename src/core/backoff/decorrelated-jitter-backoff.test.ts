// Goal: decorrelated jitter stays within [delayInitialMs, delayMaxMs] and grows from the previous wait.
// Method: scripted and seeded Rngs; walk the steps with next().
import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../random.js';
import { DecorrelatedJitterBackoff } from './decorrelated-jitter-backoff.js';

const fixedRng = (value: number): Rng => ({ next: () => value });

describe('DecorrelatedJitterBackoff', () => {
  it('has no wait before the first attempt', () => {
    expect(new DecorrelatedJitterBackoff().duration).toBe(0);
  });

  it('grows up to three times the previous wait when the draw is high', () => {
    let step = new DecorrelatedJitterBackoff({
      delayInitialMs: 100,
      delayMaxMs: 5_000,
      rng: fixedRng(0.999_999),
    }).next();
    const seen = [step.duration];
    for (let i = 0; i < 4; i++) {
      step = step.next();
      seen.push(step.duration);
    }
    expect(seen).toEqual([299, 896, 2_687, 5_000, 5_000]);
  });

  it('stays at delayInitialMs when the draw is zero', () => {
    let step = new DecorrelatedJitterBackoff({ delayInitialMs: 100, rng: fixedRng(0) }).next();
    for (let i = 0; i < 5; i++) step = step.next();
    expect(step.duration).toBe(100);
  });

  it('keeps each wait within bounds and below three times the previous one', () => {
    let previousMs = 40;
    let step = new DecorrelatedJitterBackoff({
      delayInitialMs: 40,
      delayMaxMs: 3_000,
      rng: createRng(11),
    }).next();
    for (let i = 0; i < 300; i++) {
      expect(step.duration).toBeGreaterThanOrEqual(40);
      expect(step.duration).toBeLessThanOrEqual(Math.min(3_000, previousMs * 3));
      previousMs = step.duration;
      step = step.next();
    }
  });

  it('rejects delayMaxMs below delayInitialMs with both values', () => {
    expect(() => new DecorrelatedJitterBackoff({ delayInitialMs: 10, delayMaxMs: 5 })).toThrow(
      'delayMaxMs must be >= delayInitialMs (10), was 5',
    );
    expect(() => new DecorrelatedJitterBackoff({ delayInitialMs: -3 })).toThrow(RangeError);
  });
});
