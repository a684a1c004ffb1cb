// Goal: rate budgets shared through Redis hold across instances: concurrent bursts from several
// limiters never exceed a limit, penalties reach every instance, and an outage falls back to each
// instance's share, says so, and shares again once Redis answers.
// Method: real Redis on loopback, one client and store per "instance", a unique key prefix per
// test; instance timing (health checks) on FakeClock; the outage is a disconnected client.
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import type { RateLimitWindow } from '../../src/core/rate-limiter/rate-limit-store.js';
import { RateLimiter } from '../../src/core/rate-limiter/rate-limiter.js';
import type { SharedModeChange } from '../../src/storage/redis/redis-availability.js';
import { RedisRateLimitStore } from '../../src/storage/redis/redis-rate-limit-store.js';
import { connected, cut, describeWithRedis, eventually, type RedisFixture } from './redis-test-support.js';

const keys: Record<string, readonly RateLimitWindow[]> = {
  'orders.add': [{ limit: 12, windowMs: 60_000 }],
  'orders.placement': [{ limit: 9, windowMs: 60_000 }],
  'market.read': [{ limit: 30, windowMs: 60_000 }],
};

async function instances(redis: RedisFixture, count: number, expectedInstances = count) {
  const keyPrefix = redis.prefix();
  const clock = new FakeClock();
  return Promise.all(
    Array.from({ length: count }, async () => {
      const client = await redis.client();
      const lines: string[] = [];
      const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
      const store = new RedisRateLimitStore({
        logger,
        client,
        keyPrefix,
        expectedInstances,
        clock,
        healthCheckIntervalMs: 1_000,
      });
      return { client, store, clock, keyPrefix, lines, limiter: new RateLimiter({ keys, store, clock }) };
    }),
  );
}

describeWithRedis('RedisRateLimitStore', (redis) => {
  it('never grants more than the limit to three limiters bursting at once', async () => {
    const all = await instances(redis, 3);
    const attempts = all.flatMap(({ limiter }) =>
      Array.from({ length: 10 }, () => limiter.tryAcquire({ keys: ['orders.add', 'orders.placement'] })),
    );
    const granted = (await Promise.all(attempts)).filter((attempt) => attempt.granted).length;
    expect(granted).toBe(9); // the shared placement budget binds first
    const [add, placement] = await (all[0]?.limiter.snapshot() ?? []);
    expect(add?.windows[0]?.used).toBe(9); // all or nothing: refused requests spent nothing
    expect(placement?.windows[0]?.remaining).toBe(0);
    const more = await all[2]?.limiter.tryAcquire({ keys: ['orders.add'], weight: 3 });
    expect(more).toEqual({ granted: true });
    expect(await all[1]?.limiter.tryAcquire({ keys: ['orders.add'] })).toMatchObject({ granted: false });
  });

  it('frees budget as grants leave the window, on Redis time', async () => {
    const [one] = await instances(redis, 1);
    if (one === undefined) throw new Error('no instance');
    const request = { keys: [{ key: 'k', windows: [{ limit: 2, windowMs: 150 }] }], weight: 1, nowMs: 0 };
    expect(await one.store.acquire(request)).toEqual({ granted: true });
    expect(await one.store.acquire(request)).toEqual({ granted: true });
    const refused = await one.store.acquire(request);
    expect(refused).toMatchObject({ granted: false, reason: 'budget', blockingKey: 'k' });
    const waitMs = refused.granted ? 0 : refused.retryAfterMs;
    expect(waitMs).toBeGreaterThan(0);
    expect(waitMs).toBeLessThanOrEqual(150);
    await new Promise((resolve) => setTimeout(resolve, waitMs + 20)); // Redis time is real time
    expect(await one.store.acquire(request)).toEqual({ granted: true });
    const ttlMs = await one.client.pttl(`${one.keyPrefix}rl:k:log`);
    expect(ttlMs).toBeGreaterThan(0);
    expect(ttlMs).toBeLessThanOrEqual(1_150);
  });

  it('keeps each running window sum equal to the weight its log holds in the window', async () => {
    const [one] = await instances(redis, 1);
    if (one === undefined) throw new Error('no instance');
    const windows = [
      { limit: 4, windowMs: 40 },
      { limit: 9, windowMs: 120 },
    ];
    const request = { keys: [{ key: 'k', windows }], weight: 2, nowMs: 0 };
    const untilMs = Date.now() + 400; // Redis time is real time: grants cross both windows many times
    while (Date.now() < untilMs) {
      await one.store.acquire(request);
      await new Promise((resolve) => setTimeout(resolve, 7));
    }
    await one.store.acquire(request); // brings both sums up to this instant
    for (const { windowMs } of windows) {
      const [boundary, sum] = await one.client.hmget(
        `${one.keyPrefix}rl:k:sums`,
        `b${windowMs}`,
        `s${windowMs}`,
      );
      const live = await one.client.zrangebyscore(`${one.keyPrefix}rl:k:log`, `(${boundary}`, '+inf');
      const weight = live.reduce((total, member) => total + Number(member.split(':')[1]), 0);
      expect(Number(sum)).toBe(weight);
    }
  });

  it('shares a penalty: one instance backs off, every instance waits', async () => {
    const [a, b] = await instances(redis, 2);
    if (a === undefined || b === undefined) throw new Error('no instances');
    const reasons: string[] = [];
    b.limiter.onReject((event) => reasons.push(event.reason));
    await a.limiter.penalize('market.read', 800);
    const attempt = await b.limiter.tryAcquire({ keys: ['market.read'] });
    expect(attempt.granted).toBe(false);
    expect(attempt.granted ? 0 : attempt.retryAfterMs).toBeGreaterThan(500);
    expect(reasons).toEqual(['penalty']);
    const ttlMs = await a.client.pttl(`${a.keyPrefix}rl:market.read:penalty`);
    expect(ttlMs).toBeGreaterThan(0);
    expect(ttlMs).toBeLessThanOrEqual(800);
  });

  it('grants within its local share while Redis is cut, says so, and hands over when it returns', async () => {
    const [a, b, c] = await instances(redis, 3);
    if (a === undefined || b === undefined || c === undefined) throw new Error('no instances');
    const changes: SharedModeChange[] = [];
    b.store.onModeChange((change) => changes.push(change));
    await a.limiter.tryAcquire({ keys: ['orders.placement'] });
    await cut(b.client); // the cut: every command fails at once
    const local = await Promise.all(
      Array.from({ length: 6 }, () => b.limiter.tryAcquire({ keys: ['orders.placement'] })),
    );
    expect(local.filter((attempt) => attempt.granted)).toHaveLength(3); // 9 / 3 instances
    expect(changes.map((change) => change.to)).toEqual(['local']);
    expect(b.lines.join('')).toContain('rate budgets are local now');
    expect(b.store.mode).toBe('local');
    // A still shares through Redis: B's local grants never reached it.
    expect((await a.limiter.snapshot())[1]?.windows[0]?.used).toBe(1);

    await b.limiter.penalize('market.read', 5_000); // a 429 seen while cut
    await b.clock.advance(1_000); // a health check while still cut: stays local
    expect(b.store.mode).toBe('local');
    b.client.connect().catch(() => undefined);
    await connected(b.client);
    // Health checks run on the fake clock, their pings are real I/O: keep checking until one answers
    // (the first may race the reconnection on a loaded machine).
    await eventually(async () => {
      await b.clock.advance(1_000);
      return b.store.mode === 'shared';
    }, 10_000);
    expect(changes.map((change) => change.to)).toEqual(['local', 'shared']);
    expect(await b.limiter.tryAcquire({ keys: ['orders.placement'] })).toEqual({ granted: true });
    // B's local grants and penalty were handed over: 1 by A, 3 by B while cut, 1 by B after.
    expect((await c.limiter.snapshot())[1]?.windows[0]?.used).toBe(5);
    expect(await c.limiter.tryAcquire({ keys: ['market.read'] })).toMatchObject({ granted: false });
  });

  it('refuses locally a weight above the share instead of overspending', async () => {
    const [a] = await instances(redis, 1, 4);
    if (a === undefined) throw new Error('no instance');
    a.client.disconnect();
    const attempt = await a.limiter.tryAcquire({ keys: ['orders.placement'], weight: 3 });
    expect(attempt).toEqual({ granted: false, retryAfterMs: 1_000 }); // share is 9 / 4 = 2
    expect(await a.limiter.tryAcquire({ keys: ['orders.placement'], weight: 2 })).toEqual({ granted: true });
  });

  it('rejects a client that would queue commands while Redis is away', async () => {
    const { Redis } = await import('ioredis');
    const queueing = new Redis({ lazyConnect: true });
    expect(() => new RedisRateLimitStore({ client: queueing })).toThrow(/commandTimeout/);
    expect(() => new RedisRateLimitStore({ client: queueing, expectedInstances: 0 })).toThrow(RangeError);
  });
});
