// Goal: the limiter slides its window on the clock, escalates to a 2-minute block, and checks options.
// Method: a FakeClock and direct calls.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { BLOCK_DURATION_MS, IGNORED_REFUSALS_MAX, RateLimiter } from './rate-limits.js';

describe('RateLimiter', () => {
  it('slides the window: a slot frees exactly when the oldest call leaves it', async () => {
    const clock = new FakeClock(0);
    const limiter = new RateLimiter(clock, 1);
    for (let i = 0; i < 30; i++) {
      expect(limiter.check('ordersList', 'k').allowed).toBe(true);
      await clock.advance(1_000);
    }
    expect(limiter.check('ordersList', 'k')).toEqual({ allowed: false, backOffSeconds: 30, limit: 30 });
    await clock.advance(30_000);
    expect(limiter.check('ordersList', 'k').allowed).toBe(true);
  });

  it('blocks a key for two minutes after too many refusals in a row', () => {
    const clock = new FakeClock(0);
    const limiter = new RateLimiter(clock, 1);
    for (let i = 0; i < 15; i++) limiter.check('walletsV2', 'k');
    for (let i = 0; i < IGNORED_REFUSALS_MAX; i++)
      expect(limiter.check('walletsV2', 'k').allowed).toBe(false);
    expect(limiter.check('walletsV2', 'k')).toMatchObject({ backOffSeconds: BLOCK_DURATION_MS / 1000 });
    expect(limiter.check('profile', 'k').allowed).toBe(false);
    expect(limiter.check('profile', 'other').allowed).toBe(true);
  });

  it('refuses a bad scale or an unknown endpoint with the value in the message', () => {
    const clock = new FakeClock(0);
    expect(() => new RateLimiter(clock, 0)).toThrow(/was 0/);
    expect(() => new RateLimiter(clock, Number.NaN)).toThrow(/was NaN/);
    expect(() => new RateLimiter(clock, 1).check('nope', 'k')).toThrow(/was nope/);
  });
});
