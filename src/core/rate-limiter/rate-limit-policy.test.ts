// Goal: the policy spends budget before running the call and rejects without running it.
// Method: a RateLimiter on FakeClock behind the policy.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.js';
import { isRateLimitedError } from '../errors.js';
import { RateLimitPolicy } from './rate-limit-policy.js';
import { RateLimiter } from './rate-limiter.js';

function setup() {
  const clock = new FakeClock(0);
  const limiter = new RateLimiter({
    keys: {
      'orders.add': [{ limit: 4, windowMs: 1_000 }],
      'orders.placement': [{ limit: 10, windowMs: 1_000 }],
    },
    clock,
  });
  return { clock, limiter };
}

describe('RateLimitPolicy', () => {
  it('spends the weight on every key before running the call', async () => {
    const { limiter } = setup();
    const policy = new RateLimitPolicy({ limiter, keys: ['orders.add', 'orders.placement'], weight: 2 });
    expect(await policy.execute(() => 'placed')).toBe('placed');
    const snapshot = await limiter.snapshot();
    expect(snapshot.map((key) => key.windows[0]?.used)).toEqual([2, 2]);
  });

  it('rejects without running the call when the wait would pass waitMaxMs', async () => {
    const { limiter } = setup();
    const policy = new RateLimitPolicy({ limiter, keys: ['orders.add'], weight: 4, waitMaxMs: 0 });
    await policy.execute(() => 'first');
    let ran = false;
    await expect(
      policy.execute(() => {
        ran = true;
      }),
    ).rejects.toSatisfy(isRateLimitedError);
    expect(ran).toBe(false);
  });

  it('waits for budget and passes the signal to the call', async () => {
    const { clock, limiter } = setup();
    const policy = new RateLimitPolicy({ limiter, keys: ['orders.add'], weight: 4 });
    await policy.execute(() => 'first');
    const controller = new AbortController();
    const pending = policy.execute((context) => context.signal, controller.signal);
    await clock.advance(1_000);
    expect(await pending).toBe(controller.signal);
  });

  it.each([
    [{ keys: [] }, /at least one key/],
    [{ keys: ['orders.add'], weight: 0 }, /weight must be a positive integer, was 0/],
    [{ keys: ['orders.add'], waitMaxMs: Number.POSITIVE_INFINITY }, /waitMaxMs .* was Infinity/],
  ])('rejects bad option %o', (options, message) => {
    expect(() => new RateLimitPolicy({ limiter: setup().limiter, ...options })).toThrow(message);
  });
});
