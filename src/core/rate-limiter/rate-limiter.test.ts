// Goal: the limiter grants within every window, spends on several keys atomically, waits on the
// clock, rejects early when the wait would pass the deadline, and honours penalties.
// Method: FakeClock, the in-memory store, events recorded.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.js';
import { isAbortedError, isRateLimitedError, type RateLimitedError } from '../errors.js';
import { RateLimiter } from './rate-limiter.js';

const ordersKeys = {
  'orders.add': [
    { limit: 300, windowMs: 600_000 },
    { limit: 20, windowMs: 10_000 },
  ],
  'orders.placement': [{ limit: 5, windowMs: 1_000 }],
  'market.read': [{ limit: 3, windowMs: 1_000 }],
};

function setup(options: Partial<ConstructorParameters<typeof RateLimiter>[0]> = {}) {
  const clock = new FakeClock(0);
  const limiter = new RateLimiter({ keys: ordersKeys, clock, ...options });
  return { clock, limiter };
}

describe('RateLimiter', () => {
  it('grants up to the burst limit, then names the wait', async () => {
    const { limiter } = setup();
    for (let i = 0; i < 3; i++)
      expect(await limiter.tryAcquire({ keys: ['market.read'] })).toEqual({ granted: true });
    expect(await limiter.tryAcquire({ keys: ['market.read'] })).toEqual({
      granted: false,
      retryAfterMs: 1_000,
    });
  });

  it('enforces the long window after the burst window refills', async () => {
    const { clock, limiter } = setup({
      keys: {
        k: [
          { limit: 4, windowMs: 10_000 },
          { limit: 2, windowMs: 1_000 },
        ],
      },
    });
    const granted: number[] = [];
    for (let step = 0; step < 10; step++) {
      for (let i = 0; i < 3; i++)
        if ((await limiter.tryAcquire({ keys: ['k'] })).granted) granted.push(clock.nowMs());
      await clock.advance(1_000);
    }
    expect(granted).toEqual([0, 0, 1_000, 1_000]);
    expect(await limiter.tryAcquire({ keys: ['k'] })).toEqual({ granted: true });
  });

  it('spends on several keys all or nothing', async () => {
    const { limiter } = setup();
    for (let i = 0; i < 5; i++) await limiter.tryAcquire({ keys: ['orders.placement'] });
    expect(await limiter.tryAcquire({ keys: ['orders.add', 'orders.placement'] })).toMatchObject({
      granted: false,
    });
    const [add] = await limiter.snapshot();
    expect(add?.windows.map((window) => window.used)).toEqual([0, 0]);
  });

  it('spends the weight on each key', async () => {
    const { limiter } = setup();
    await limiter.tryAcquire({ keys: ['orders.add', 'orders.placement'], weight: 4 });
    const snapshot = await limiter.snapshot();
    expect(snapshot.find((key) => key.key === 'orders.placement')?.windows).toEqual([
      { limit: 5, windowMs: 1_000, used: 4, remaining: 1 },
    ]);
    expect(
      snapshot.find((key) => key.key === 'orders.add')?.windows.map((window) => window.remaining),
    ).toEqual([296, 16]);
    expect(await limiter.tryAcquire({ keys: ['orders.placement'], weight: 2 })).toMatchObject({
      granted: false,
    });
  });

  it('acquire waits on the clock and then grants', async () => {
    const { clock, limiter } = setup();
    const waits: number[] = [];
    const grants: number[] = [];
    limiter.onWait((event) => waits.push(event.retryAfterMs));
    limiter.onGrant((event) => grants.push(event.waitedMs));
    for (let i = 0; i < 3; i++) await limiter.acquire({ keys: ['market.read'] });
    let done = false;
    const pending = limiter.acquire({ keys: ['market.read'] }).then(() => {
      done = true;
    });
    await clock.advance(999);
    expect(done).toBe(false);
    await clock.advance(1);
    await pending;
    expect(waits).toEqual([1_000]);
    expect(grants).toEqual([0, 0, 0, 1_000]);
  });

  it('rejects at once when the wait would pass waitMaxMs', async () => {
    const { clock, limiter } = setup();
    const rejects: string[] = [];
    limiter.onReject((event) => rejects.push(event.reason));
    for (let i = 0; i < 3; i++) await limiter.acquire({ keys: ['market.read'] });
    const startMs = clock.nowMs();
    const error = await limiter.acquire({ keys: ['market.read'], waitMaxMs: 999 }).catch((e: unknown) => e);
    expect(isRateLimitedError(error)).toBe(true);
    expect((error as RateLimitedError).retryAfterMs).toBe(1_000);
    expect(String(error)).toMatch(/'market.read' for 1000 ms: would pass the deadline by 1 ms/);
    expect(clock.nowMs()).toBe(startMs);
    expect(rejects).toEqual(['deadline']);
    const exact = limiter.acquire({ keys: ['market.read'], waitMaxMs: 1_000 });
    await clock.advance(1_000);
    await expect(exact).resolves.toBeUndefined();
  });

  it('uses deadlineAtMs when it comes before waitMaxMs', async () => {
    const { limiter } = setup({ waitMaxMs: 60_000 });
    for (let i = 0; i < 3; i++) await limiter.acquire({ keys: ['market.read'] });
    await expect(limiter.acquire({ keys: ['market.read'], deadlineAtMs: 500 })).rejects.toSatisfy(
      isRateLimitedError,
    );
  });

  it('uses the limiter waitMaxMs by default', async () => {
    const { limiter } = setup({ waitMaxMs: 100 });
    for (let i = 0; i < 3; i++) await limiter.acquire({ keys: ['market.read'] });
    await expect(limiter.acquire({ keys: ['market.read'] })).rejects.toSatisfy(isRateLimitedError);
  });

  it('stops waiting when the signal aborts', async () => {
    const { clock, limiter } = setup();
    for (let i = 0; i < 3; i++) await limiter.acquire({ keys: ['market.read'] });
    const controller = new AbortController();
    const pending = limiter
      .acquire({ keys: ['market.read'], signal: controller.signal })
      .catch((e: unknown) => e);
    await clock.advance(10);
    controller.abort();
    expect(isAbortedError(await pending)).toBe(true);
    expect(clock.pendingTimerCount).toBe(0);
  });

  it('rejects with waitersFull when waitersMax acquires already wait', async () => {
    const { clock, limiter } = setup({ waitersMax: 1 });
    for (let i = 0; i < 3; i++) await limiter.acquire({ keys: ['market.read'] });
    const first = limiter.acquire({ keys: ['market.read'] });
    await clock.advance(0);
    await expect(limiter.acquire({ keys: ['market.read'] })).rejects.toThrow(/waitersMax 1 reached/);
    await clock.advance(1_000);
    await first;
  });

  it('grants nothing on a penalized key until the back-off ends', async () => {
    const { clock, limiter } = setup();
    const penalties: unknown[] = [];
    limiter.onPenalty((event) => penalties.push(event));
    await limiter.penalize('orders.add', 30_000);
    expect(penalties).toEqual([
      { key: 'orders.add', requestedMs: 30_000, backOffMs: 30_000, untilMs: 30_000 },
    ]);
    expect(await limiter.tryAcquire({ keys: ['orders.add'] })).toEqual({
      granted: false,
      retryAfterMs: 30_000,
    });
    expect(await limiter.tryAcquire({ keys: ['market.read'] })).toEqual({ granted: true });
    expect((await limiter.snapshot())[0]?.penaltyUntilMs).toBe(30_000);
    await clock.advance(30_000);
    expect(await limiter.tryAcquire({ keys: ['orders.add'] })).toEqual({ granted: true });
  });

  it('cuts a back-off longer than penaltyMaxMs', async () => {
    const { limiter } = setup({ penaltyMaxMs: 5_000 });
    const penalties: number[] = [];
    limiter.onPenalty((event) => penalties.push(event.backOffMs));
    await limiter.penalize('orders.add', 86_400_000);
    expect(penalties).toEqual([5_000]);
  });

  it('uses keysDefault for unknown keys and rejects unknown keys without it', async () => {
    const { limiter } = setup({ keysDefault: [{ limit: 1, windowMs: 1_000 }] });
    expect(await limiter.tryAcquire({ keys: ['dynamic'] })).toEqual({ granted: true });
    expect(await limiter.tryAcquire({ keys: ['dynamic'] })).toMatchObject({ granted: false });
    expect((await limiter.snapshot()).map((key) => key.key)).toContain('dynamic');
    const strict = setup().limiter;
    await expect(strict.tryAcquire({ keys: ['dynamic'] })).rejects.toThrow(
      "unknown rate limit key, was 'dynamic'",
    );
  });

  it('bounds the dynamic keys it tracks without dropping configured keys', async () => {
    const { clock, limiter } = setup({ keysMax: 3, keysDefault: [{ limit: 1, windowMs: 100 }] });
    for (const key of ['d1', 'd2', 'd3', 'd4']) {
      expect(await limiter.tryAcquire({ keys: [key] })).toEqual({ granted: true });
      await clock.advance(100);
    }
    const keys = (await limiter.snapshot()).map((key) => key.key);
    expect(keys).toEqual(['orders.add', 'orders.placement', 'market.read', 'd2', 'd3', 'd4']);
  });

  it('does not reopen a spent window when the clock jumps back', async () => {
    const { clock, limiter } = setup();
    clock.setNow(10_000);
    for (let i = 0; i < 3; i++) await limiter.tryAcquire({ keys: ['market.read'] });
    clock.setNow(5_000);
    expect(await limiter.tryAcquire({ keys: ['market.read'] })).toMatchObject({ granted: false });
  });

  it.each([
    [{ keys: [] }, /at least one key/],
    [{ keys: ['market.read', 'market.read'] }, /distinct/],
    [{ keys: ['market.read'], weight: 0 }, /weight must be a positive integer, was 0/],
    [{ keys: ['market.read'], weight: 1.5 }, /was 1.5/],
    [{ keys: ['market.read'], weight: 4 }, /weight must fit the limit 3 of 'market.read', was 4/],
  ])('rejects bad request %o', async (request, message) => {
    await expect(setup().limiter.tryAcquire(request)).rejects.toThrow(message);
  });

  it.each([
    [{ keysMax: 0 }, /keysMax .* was 0/],
    [{ keysMax: 2 }, /at most keysMax 2 keys, was 3/],
    [{ waitMaxMs: -1 }, /waitMaxMs .* was -1/],
    [{ waitersMax: Number.POSITIVE_INFINITY }, /waitersMax .* was Infinity/],
    [{ penaltyMaxMs: Number.NaN }, /penaltyMaxMs .* was NaN/],
    [{ keys: { k: [] } }, /windows of 'k' must not be empty/],
    [{ keys: { k: [{ limit: 0, windowMs: 1 }] } }, /limit of 'k' must be a positive integer, was 0/],
    [{ keys: { k: [{ limit: 1, windowMs: Number.POSITIVE_INFINITY }] } }, /windowMs of 'k' .* was Infinity/],
    [{ keysDefault: [{ limit: 1, windowMs: 0 }] }, /windowMs of 'keysDefault' .* was 0/],
  ])('rejects bad option %o', (options, message) => {
    expect(() => setup(options)).toThrow(message);
  });

  it('rejects a bad back-off', async () => {
    await expect(setup().limiter.penalize('orders.add', -5)).rejects.toThrow(
      'backOffMs must be finite and >= 0, was -5',
    );
  });
});
