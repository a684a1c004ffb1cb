// Goal: the lease write fence keeps a paused old leader from writing: once a standby has taken the
// lease, every journal write of the old leader fails, while the new leader writes normally.
// Method: OrderJournal with LeaseWriteFence on SQLite and PostgreSQL (the lease row lives in the
// journal's database, checked inside the journal's transaction), and a Redis lease over SQLite.
// Each instance has its own FakeClock; the old leader's clock is frozen to model a long pause.
import { expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { Decimal } from '../../src/core/decimal.js';
import { clientOrderIdFor } from '../../src/exchange/order-journal/order-intent.js';
import {
  OrderJournal,
  type PrepareInput,
  type WriteFence,
} from '../../src/exchange/order-journal/order-journal.js';
import type { Database } from '../../src/storage/database.js';
import { isLeaseLostError } from '../../src/storage/leadership/errors.js';
import type { LeaseRunner } from '../../src/storage/leadership/lease-runner.js';
import { LeaseWriteFence } from '../../src/storage/leadership/lease-write-fence.js';
import { PostgresLeaderLease } from '../../src/storage/leadership/postgres-leader-lease.js';
import { RedisLeaderLease } from '../../src/storage/leadership/redis-leader-lease.js';
import { SqliteDatabase } from '../../src/storage/sqlite-database.js';
import { describeEachBackend } from '../support/databases.js';
import { describeWithRedis } from './redis-test-support.js';

const TTL_MS = 1_000;
const RENEW_MS = 250;
const START_MS = Date.UTC(2026, 0, 1);

const order = (signalId: string): PrepareInput => ({
  id: `o-${signalId}`,
  signalId,
  clientOrderId: clientOrderIdFor(signalId),
  market: { base: 'btc', quote: 'rls' },
  side: 'buy',
  execution: 'limit',
  amount: new Decimal('0.001'),
  price: new Decimal('7000000000'),
  cause: 'signal',
});

async function step(clock: FakeClock, lease: LeaseRunner, ms: number): Promise<void> {
  await clock.advance(ms);
  await lease.settled();
}

/** B polls until it leads; A's clock stays frozen all along. */
async function takeOver(clockB: FakeClock, b: LeaseRunner, pollRealMs = 0): Promise<void> {
  for (let count = 0; count < 40 && !b.isLeader; count++) {
    await step(clockB, b, RENEW_MS);
    if (pollRealMs > 0) await new Promise((resolve) => setTimeout(resolve, pollRealMs));
  }
  expect(b.isLeader).toBe(true);
}

async function expectFenced(write: Promise<unknown>): Promise<void> {
  const error = await write.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(isLeaseLostError(error)).toBe(true);
}

describeEachBackend('LeaseWriteFence on the SQL lease', (makeDb) => {
  async function instance(name: string, db: Database) {
    await db.migrate([...OrderJournal.migrations, ...PostgresLeaderLease.migrations]);
    const clock = new FakeClock(START_MS);
    const lease = new PostgresLeaderLease({
      db,
      clock,
      instanceId: name,
      ttlMs: TTL_MS,
      renewIntervalMs: RENEW_MS,
    });
    const fence: WriteFence = new LeaseWriteFence(lease);
    return { clock, lease, journal: new OrderJournal({ db, clock, fence }) };
  }

  it("refuses a paused old leader's writes after a standby took over", async () => {
    const a = await instance('a', await makeDb());
    const b = await instance('b', await makeDb());
    a.lease.start();
    await step(a.clock, a.lease, 0);
    b.lease.start();
    await step(b.clock, b.lease, 0);
    expect(a.lease.isLeader).toBe(true);
    await a.journal.prepare(order('s1'));

    await takeOver(b.clock, b.lease); // A is paused: its clock and its renewals stop
    expect(a.lease.isLeader).toBe(true); // by its own frozen clock, A still believes it leads
    await expectFenced(a.journal.transition('o-s1', 'SUBMITTING', { cause: 'late submit' }));
    await expectFenced(a.journal.prepare(order('s2')));
    expect((await b.journal.get('o-s1'))?.state).toBe('PREPARED');
    expect(await b.journal.get('o-s2')).toBeUndefined();

    await b.journal.transition('o-s1', 'SUBMITTING', { cause: 'submit by the new leader' });
    const audit = await b.journal.audit({ orderId: 'o-s1' });
    expect(audit.map((event) => [event.toState, event.fencingToken])).toEqual([
      ['PREPARED', 1],
      ['SUBMITTING', 2],
    ]);
    await b.lease.release();
  });

  it('refuses the writes of a standby that never led', async () => {
    const a = await instance('a', await makeDb());
    await expectFenced(a.journal.prepare(order('s1')));
  });
});

describeWithRedis('LeaseWriteFence on the Redis lease', (redis) => {
  it("refuses a paused old leader's writes after a standby took over", async () => {
    const db = new SqliteDatabase({ path: ':memory:' });
    await db.migrate(OrderJournal.migrations);
    const keyPrefix = redis.prefix();
    const make = async (name: string) => {
      const clock = new FakeClock(START_MS);
      const client = await redis.client();
      const lease = new RedisLeaderLease({
        client,
        keyPrefix,
        clock,
        instanceId: name,
        ttlMs: TTL_MS,
        renewIntervalMs: RENEW_MS,
      });
      return { clock, lease, journal: new OrderJournal({ db, clock, fence: new LeaseWriteFence(lease) }) };
    };
    const a = await make('a');
    const b = await make('b');
    try {
      a.lease.start();
      await step(a.clock, a.lease, 0);
      b.lease.start();
      await a.journal.prepare(order('s1'));
      await takeOver(b.clock, b.lease, 40); // the Redis key expires in real time
      await expectFenced(a.journal.transition('o-s1', 'SUBMITTING', { cause: 'late submit' }));
      await b.journal.transition('o-s1', 'SUBMITTING', { cause: 'submit by the new leader' });
      expect((await b.journal.get('o-s1'))?.state).toBe('SUBMITTING');
    } finally {
      await b.lease.release();
      await db.close();
    }
  });
});
