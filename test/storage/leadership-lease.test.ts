// Goal: trading leadership: one leader among contenders, a growing fencing token, takeover by a
// standby within the lease TTL when the leader stops renewing, self-demotion of a leader that
// cannot renew, and an immediate handover on release.
// Method: the SQL lease on SQLite and PostgreSQL (describeEachBackend), the Redis lease on real
// Redis. Each instance has its own FakeClock; a "killed" leader is one whose clock stops, so it
// renews no more. Redis TTLs run on real time, so the Redis takeover awaits the key's expiry.
import { afterEach, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import type { LeaderDemotion, LeaderLease } from '../../src/storage/leadership/leader-lease.js';
import type { LeaseRunner } from '../../src/storage/leadership/lease-runner.js';
import { PostgresLeaderLease } from '../../src/storage/leadership/postgres-leader-lease.js';
import { RedisLeaderLease } from '../../src/storage/leadership/redis-leader-lease.js';
import { describeEachBackend } from '../support/databases.js';
import { describeWithRedis, eventually } from './redis-test-support.js';

const TTL_MS = 1_000;
const RENEW_MS = 250;
const START_MS = Date.UTC(2026, 0, 1);

const started: LeaderLease[] = [];
afterEach(async () => {
  for (const lease of started.splice(0)) await lease.release().catch(() => undefined);
});

function run<T extends LeaderLease>(lease: T): T {
  started.push(lease);
  lease.start();
  return lease;
}

const leaders = (leases: readonly LeaderLease[]) => leases.filter((lease) => lease.isLeader);

/** Moves every instance's clock; each store round trip is real I/O, awaited before the next. */
async function advanceAll(clocks: readonly FakeClock[], leases: readonly LeaseRunner[], ms: number) {
  for (const [index, clock] of clocks.entries()) {
    await clock.advance(ms);
    await leases[index]?.settled();
  }
}

async function step(clock: FakeClock, lease: LeaseRunner, ms: number): Promise<void> {
  await clock.advance(ms);
  await lease.settled();
}

describeEachBackend('PostgresLeaderLease', (makeDb) => {
  async function contenders(count: number) {
    const clocks = Array.from({ length: count }, () => new FakeClock(START_MS));
    const leases: PostgresLeaderLease[] = [];
    for (let index = 0; index < count; index++) {
      const db = await makeDb();
      await db.migrate(PostgresLeaderLease.migrations);
      const clock = clocks[index] as FakeClock;
      leases.push(
        new PostgresLeaderLease({
          db,
          clock,
          instanceId: `i${index}`,
          ttlMs: TTL_MS,
          renewIntervalMs: RENEW_MS,
        }),
      );
    }
    return { clocks, leases };
  }

  it('elects exactly one leader among three contenders and keeps it while it renews', async () => {
    const { clocks, leases } = await contenders(3);
    const elected: number[] = [];
    for (const lease of leases) lease.onElected((info) => elected.push(info.token));
    for (const lease of leases) run(lease);
    await Promise.all(clocks.map((clock) => clock.advance(0))); // all three race
    await Promise.all(leases.map((lease) => lease.settled()));
    expect(leaders(leases)).toHaveLength(1);
    const leader = leaders(leases)[0];
    for (let count = 0; count < 8; count++) await advanceAll(clocks, leases, RENEW_MS);
    expect(leaders(leases)).toEqual([leader]);
    expect(elected).toEqual([1]);
    expect(leader?.leaderInfo()).toEqual({
      instanceId: leader?.instanceId,
      token: 1,
      sinceMs: START_MS,
      expiresAtMs: START_MS + 8 * RENEW_MS + TTL_MS,
    });
  });

  it('hands over to a standby within the TTL when the leader stops renewing', async () => {
    const { clocks, leases } = await contenders(2);
    const [a, b] = leases;
    const [clockA, clockB] = clocks;
    if (a === undefined || b === undefined || clockA === undefined || clockB === undefined)
      throw new Error('setup');
    run(a);
    await step(clockA, a, 0);
    run(b);
    await step(clockB, b, 0);
    expect([a.isLeader, b.isLeader]).toEqual([true, false]);
    // A is killed: its clock stops, it renews no more. B polls every RENEW_MS.
    let electedAtMs: number | undefined;
    b.onElected((info) => (electedAtMs = info.sinceMs));
    for (let count = 0; count < 10 && electedAtMs === undefined; count++) await step(clockB, b, RENEW_MS);
    expect(electedAtMs).toBeDefined();
    expect(electedAtMs).toBeGreaterThanOrEqual(START_MS + TTL_MS);
    expect(electedAtMs).toBeLessThanOrEqual(START_MS + TTL_MS + RENEW_MS);
    expect(b.token).toBe(2);
  });

  it('hands over at once on release', async () => {
    const { clocks, leases } = await contenders(2);
    const [a, b] = leases;
    if (a === undefined || b === undefined) throw new Error('setup');
    run(a);
    await advanceAll(clocks, leases, 0);
    run(b);
    await advanceAll(clocks, leases, 0);
    const demotions: LeaderDemotion['reason'][] = [];
    a.onDemoted((demotion) => demotions.push(demotion.reason));
    await a.release();
    await advanceAll(clocks, leases, RENEW_MS);
    expect(b.isLeader).toBe(true);
    expect(demotions).toEqual(['released']);
    expect(a.leaderInfo()).toBeUndefined();
  });

  it('refuses timings that leave no room to renew', async () => {
    const db = await makeDb();
    expect(
      () => new PostgresLeaderLease({ db, instanceId: 'x', ttlMs: 1_000, renewIntervalMs: 600 }),
    ).toThrow('renewIntervalMs must be at most ttlMs / 2 (500), was 600');
    expect(() => new PostgresLeaderLease({ db, instanceId: '', ttlMs: 1_000 })).toThrow(RangeError);
  });
});

describeWithRedis('RedisLeaderLease', (redis) => {
  async function contenders(count: number) {
    const keyPrefix = redis.prefix();
    const clocks = Array.from({ length: count }, () => new FakeClock(START_MS));
    const leases: RedisLeaderLease[] = [];
    for (let index = 0; index < count; index++) {
      const client = await redis.client();
      const clock = clocks[index] as FakeClock;
      leases.push(
        new RedisLeaderLease({
          client,
          keyPrefix,
          clock,
          instanceId: `i${index}`,
          ttlMs: TTL_MS,
          renewIntervalMs: RENEW_MS,
        }),
      );
    }
    return { clocks, leases, keyPrefix };
  }

  it('elects exactly one leader among three contenders racing at once', async () => {
    const { clocks, leases } = await contenders(3);
    for (const lease of leases) run(lease);
    await Promise.all(clocks.map((clock) => clock.advance(0)));
    await eventually(() => leaders(leases).length === 1);
    await new Promise((resolve) => setTimeout(resolve, 30)); // late answers change nothing
    expect(leaders(leases)).toHaveLength(1);
    expect(leases.map((lease) => lease.token).sort()).toEqual([0, 0, 1]);
  });

  it('hands over to a standby within the TTL when the leader stops renewing', async () => {
    const { clocks, leases } = await contenders(2);
    const [a, b] = leases;
    const [clockA, clockB] = clocks;
    if (a === undefined || b === undefined || clockA === undefined || clockB === undefined)
      throw new Error('setup');
    run(a);
    await clockA.advance(0);
    await eventually(() => a.isLeader);
    run(b);
    await clockB.advance(0);
    const killedAtMs = Date.now(); // A's clock stops here: no more renewals
    const deadlineMs = killedAtMs + TTL_MS + 500;
    while (!b.isLeader && Date.now() < deadlineMs) {
      await clockB.advance(RENEW_MS);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(b.isLeader).toBe(true);
    expect(Date.now() - killedAtMs).toBeLessThanOrEqual(TTL_MS + 500);
    expect(b.token).toBe(2);
  });

  it('demotes itself when it cannot renew before its lease expires', async () => {
    const { clocks, leases } = await contenders(1);
    const [a] = leases;
    const [clock] = clocks;
    if (a === undefined || clock === undefined) throw new Error('setup');
    const client = await redis.client();
    const lease = run(
      new RedisLeaderLease({
        client,
        keyPrefix: redis.prefix(),
        clock,
        instanceId: 'cut',
        ttlMs: TTL_MS,
        renewIntervalMs: RENEW_MS,
      }),
    );
    await clock.advance(0);
    await eventually(() => lease.isLeader);
    const demotions: LeaderDemotion['reason'][] = [];
    lease.onDemoted((demotion) => demotions.push(demotion.reason));
    client.disconnect();
    await clock.advance(TTL_MS - 1);
    expect(lease.isLeader).toBe(true);
    expect(demotions).toEqual([]);
    await clock.advance(1);
    expect(lease.isLeader).toBe(false);
    expect(demotions).toEqual(['expired']);
  });
});
