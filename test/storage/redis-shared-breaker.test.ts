// Goal: breakers coordinated through Redis: an open on one instance stops the others, one
// instance probes at a time through a lease, a close is shared, shared opens expire and stale
// ones are ignored, and without Redis each instance runs its own breaker and says so.
// Method: real Redis on loopback (commands + a pub/sub connection per instance), a unique key
// prefix per test, one FakeClock for the breakers; notices arrive by real I/O, awaited briefly.
import { expect, it } from 'vitest';
import { ConsecutiveBreaker } from '../../src/core/breaker/consecutive-breaker.js';
import { CircuitBreakerPolicy } from '../../src/core/circuit-breaker.js';
import { FakeClock, systemClock } from '../../src/core/clock.js';
import { isCircuitOpenError } from '../../src/core/errors.js';
import type { SharedModeChange } from '../../src/storage/redis/redis-availability.js';
import { createRedisClient, whenReady } from '../../src/storage/redis/redis-client.js';
import { SharedBreakerState } from '../../src/storage/redis/shared-breaker-state.js';
import {
  connected,
  cut,
  describeWithRedis,
  eventually,
  type RedisFixture,
  TEST_REDIS_URL,
} from './redis-test-support.js';

const BREAK_MS = 1_000;

async function cluster(redis: RedisFixture, count: number, options: { probeLeaseMs?: number } = {}) {
  const keyPrefix = redis.prefix();
  const clock = new FakeClock();
  const nodes = [];
  for (let index = 0; index < count; index++) {
    const client = await redis.client();
    const subscriber = await redis.client();
    const state = new SharedBreakerState({
      client,
      subscriber,
      instanceId: `instance-${index}`,
      keyPrefix,
      clock,
      maxOpenMs: 60_000,
      probeLeaseMs: options.probeLeaseMs ?? 5_000,
      healthCheckIntervalMs: 1_000,
    });
    await state.start();
    const breaker = new CircuitBreakerPolicy({
      breaker: new ConsecutiveBreaker({ failuresMax: 2 }),
      breakDurationMs: BREAK_MS,
      clock,
    });
    nodes.push({ client, subscriber, state, breaker, shared: state.attach('orders', breaker) });
  }
  return { nodes, clock, keyPrefix };
}

const fail = () => Promise.reject(new Error('502 from nobitex'));

async function trip(shared: { execute: CircuitBreakerPolicy['execute'] }): Promise<void> {
  for (let i = 0; i < 2; i++) await shared.execute(fail).catch(() => undefined);
}

describeWithRedis('SharedBreakerState', (redis) => {
  it('starts shared on a connection still connecting once it is awaited, local if it is not', async () => {
    const clock = new FakeClock();
    const start = async (awaitReady: boolean) => {
      const client = createRedisClient({ url: TEST_REDIS_URL, commandTimeoutMs: 2_000 });
      const subscriber = client.duplicate();
      try {
        expect(subscriber.status).not.toBe('ready');
        if (awaitReady)
          expect(
            await Promise.all([client, subscriber].map((c) => whenReady(c, 5_000, systemClock))),
          ).toEqual([true, true]);
        const state = new SharedBreakerState({ client, subscriber, instanceId: 'fresh', clock });
        await state.start();
        const mode = state.mode;
        await state.close();
        return mode;
      } finally {
        subscriber.disconnect();
        client.disconnect();
      }
    };
    expect(await start(false)).toBe('local'); // the fail-fast client refuses SUBSCRIBE before ready
    expect(await start(true)).toBe('shared');
  });

  it('gives up waiting for a connection that never comes, after the timeout', async () => {
    const clock = new FakeClock();
    const client = createRedisClient({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 100 });
    try {
      const ready = whenReady(client, 2_000, clock);
      await clock.advance(2_000);
      expect(await ready).toBe(false);
    } finally {
      client.disconnect();
    }
  });

  it('stops every instance when one trips, before they call the failing endpoint', async () => {
    const { nodes, keyPrefix } = await cluster(redis, 3);
    const [a, b, c] = nodes;
    if (a === undefined || b === undefined || c === undefined) throw new Error('no nodes');
    await trip(a.shared);
    expect(a.breaker.state).toBe('open');
    await eventually(() => b.breaker.state === 'open' && c.breaker.state === 'open');
    let called = false;
    const rejected = await b.shared
      .execute(() => {
        called = true;
      })
      .catch((error: unknown) => error);
    expect(isCircuitOpenError(rejected)).toBe(true);
    expect(called).toBe(false);
    const ttlMs = await a.client.pttl(`${keyPrefix}breaker:orders:open`);
    expect(ttlMs).toBeGreaterThan(0);
    expect(ttlMs).toBeLessThanOrEqual(BREAK_MS); // the shared open expires with the break
  });

  it('lets one instance probe at a time and shares its close', async () => {
    const { nodes, clock } = await cluster(redis, 2);
    const [a, b] = nodes;
    if (a === undefined || b === undefined) throw new Error('no nodes');
    await trip(a.shared);
    await eventually(() => b.breaker.state === 'open');
    await clock.advance(BREAK_MS);
    expect([a.breaker.state, b.breaker.state]).toEqual(['halfOpen', 'halfOpen']);
    let finishProbe: (() => void) | undefined;
    const probe = a.shared.execute(
      () => new Promise<string>((resolve) => (finishProbe = () => resolve('ok'))),
    );
    await eventually(() => finishProbe !== undefined); // A holds the lease and its probe is running
    const second = await b.shared.execute(() => 'second probe').catch((error: unknown) => error);
    expect(isCircuitOpenError(second)).toBe(true);
    expect(String(second)).toContain('another instance is probing');
    finishProbe?.();
    expect(await probe).toBe('ok');
    expect(a.breaker.state).toBe('closed');
    await eventually(() => b.breaker.state === 'closed');
    expect(await b.shared.execute(() => 'works')).toBe('works');
  });

  it('lets another instance probe once the lease of a vanished prober expires', async () => {
    const { nodes, clock } = await cluster(redis, 2, { probeLeaseMs: 300 });
    const [a, b] = nodes;
    if (a === undefined || b === undefined) throw new Error('no nodes');
    await trip(a.shared);
    await eventually(() => b.breaker.state === 'open');
    await clock.advance(BREAK_MS);
    expect(await a.state.tryProbeLease('orders')).toBe('acquired'); // then A "dies" mid-probe
    await expect(b.shared.execute(() => 'too early')).rejects.toThrow('another instance is probing');
    await eventually(async () => (await b.state.tryProbeLease('orders')) !== 'held elsewhere', 1_500);
    await b.state.releaseProbeLease('orders');
    expect(await b.shared.execute(() => 'probe by B')).toBe('probe by B');
    expect(b.breaker.state).toBe('closed');
  });

  it('re-opens everywhere when the probe fails, re-asserting the shared open', async () => {
    const { nodes, clock } = await cluster(redis, 2);
    const [a, b] = nodes;
    if (a === undefined || b === undefined) throw new Error('no nodes');
    await trip(a.shared);
    await eventually(() => b.breaker.state === 'open');
    await clock.advance(BREAK_MS);
    await b.shared.execute(fail).catch(() => undefined); // B probes and fails
    expect(b.breaker.state).toBe('open');
    await eventually(() => a.breaker.state === 'open');
    expect(a.breaker.metrics().retryAtMs).toBe(b.breaker.metrics().retryAtMs);
  });

  it('ignores a shared open older than maxOpenMs', async () => {
    const { nodes, clock } = await cluster(redis, 1);
    const [a] = nodes;
    if (a === undefined) throw new Error('no nodes');
    const nowMs = clock.nowMs();
    const stale = { kind: 'open', name: 'orders', instanceId: 'noisy', reopenCount: 0 } as const;
    a.state.apply({ ...stale, openedAtMs: nowMs - 60_001, retryAtMs: nowMs + 1_000 });
    expect(a.breaker.state).toBe('closed');
    a.state.apply({ ...stale, openedAtMs: nowMs - 59_000, retryAtMs: nowMs + 1_000 });
    expect(a.breaker.state).toBe('open');
  });

  it('picks up a live shared open when it attaches late, and nothing once it expired', async () => {
    const { nodes, clock, keyPrefix } = await cluster(redis, 1);
    const [a] = nodes;
    if (a === undefined) throw new Error('no nodes');
    await trip(a.shared);
    const client = await redis.client();
    const late = new SharedBreakerState({
      client,
      subscriber: await redis.client(),
      instanceId: 'late',
      keyPrefix,
      clock,
    });
    const breaker = new CircuitBreakerPolicy({ breakDurationMs: BREAK_MS, clock });
    late.attach('orders', breaker);
    await eventually(() => breaker.state === 'open');
    await eventually(async () => (await client.exists(`${keyPrefix}breaker:orders:open`)) === 0, 1_500);
    const later = new SharedBreakerState({
      client,
      subscriber: await redis.client(),
      instanceId: 'later',
      keyPrefix,
      clock,
    });
    const fresh = new CircuitBreakerPolicy({ breakDurationMs: BREAK_MS, clock });
    later.attach('orders', fresh);
    await new Promise((resolve) => setTimeout(resolve, 50)); // give the read a round trip
    expect(fresh.state).toBe('closed');
  });

  it('runs each breaker alone while Redis is away, says so, and shares again after', async () => {
    const { nodes, clock } = await cluster(redis, 2);
    const [a, b] = nodes;
    if (a === undefined || b === undefined) throw new Error('no nodes');
    const changes: SharedModeChange[] = [];
    b.state.onModeChange((change) => changes.push(change));
    await Promise.all([cut(b.client), cut(b.subscriber)]);
    await eventually(() => b.state.mode === 'local');
    await trip(b.shared);
    expect(b.breaker.state).toBe('open');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(a.breaker.state).toBe('closed'); // B's open never left B
    b.client.connect().catch(() => undefined);
    b.subscriber.connect().catch(() => undefined);
    await connected(b.client);
    await connected(b.subscriber);
    // Health checks run on the fake clock, their pings are real I/O: keep checking until one answers.
    await eventually(async () => {
      await clock.advance(1_000);
      return b.state.mode === 'shared';
    }, 10_000);
    expect(changes.map((change) => change.to)).toEqual(['local', 'shared']);
    await trip(a.shared);
    await eventually(() => b.breaker.metrics().retryAtMs === a.breaker.metrics().retryAtMs);
  });
});
