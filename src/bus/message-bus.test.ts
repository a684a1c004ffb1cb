// Goal: the durable bus delivers at least once, keeps order per partition key, runs different keys in
// parallel within bounds, quarantines poison messages without blocking others, and survives a crashed
// consumer. Method: the real bus on both backends (describeEachBackend); lease, backoff and poll timing
// on FakeClocks (one per simulated process); waits only for real database I/O to finish.
import { afterEach, expect, it, vi } from 'vitest';
import { describeEachBackend } from '../../test/support/databases.js';
import { FakeClock } from '../core/clock.js';
import type { Database } from '../storage/database.js';
import { busMigrations } from './bus-migrations.js';
import { type BusMessage, MessageBus, type QuarantineEvent } from './index.js';

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

/** Waits for database I/O (not timers) to reach a state. */
const eventually = (assertion: () => Promise<void> | void) =>
  vi.waitFor(assertion, { timeout: 10_000, interval: 5 });

async function states(db: Database): Promise<Record<string, string>> {
  const rows = await db.query<{ id: string; state: string }>(
    'SELECT id, state FROM bus_messages ORDER BY id',
  );
  return Object.fromEntries(rows.map((row) => [row.id, row.state]));
}

const message = (id: string, partitionKey: string, payload: unknown = { id }) => ({
  id,
  topic: 'signals',
  partitionKey,
  payload,
});

describeEachBackend('MessageBus', (makeDb) => {
  const running: Array<{ bus: MessageBus; clock: FakeClock }> = [];
  afterEach(async () => {
    for (const { bus, clock } of running.splice(0)) {
      let stopped = false;
      const stopping = bus.stop(0).then(() => {
        stopped = true;
      });
      while (!stopped) await clock.advance(10);
      await stopping;
    }
  });

  async function start(db?: Database) {
    const target = db ?? (await makeDb());
    if (db === undefined) await target.migrate(busMigrations);
    const clock = new FakeClock();
    const bus = new MessageBus({ db: target, clock, instanceId: `test-${running.length}` });
    running.push({ bus, clock });
    return { db: target, clock, bus };
  }

  it('delivers a published message once, with its payload intact, and marks it done', async () => {
    const { db, bus } = await start();
    const seen: BusMessage[] = [];
    bus.subscribe('signals', async (received) => void seen.push(received));
    expect(await bus.publish(message('m1', 'BTCIRT', { amountRial: '12345678901234567890.5', n: 3 }))).toBe(
      true,
    );
    await eventually(async () => expect(await states(db)).toEqual({ m1: 'done' }));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ id: 'm1', partitionKey: 'BTCIRT', attempt: 1 });
    expect(seen[0]?.payload).toEqual({ amountRial: '12345678901234567890.5', n: 3 });
  });

  it('ignores a second publish of the same id', async () => {
    const { db, bus } = await start();
    expect(await bus.publish(message('m1', 'A', { v: 1 }))).toBe(true);
    expect(await bus.publish(message('m1', 'A', { v: 2 }))).toBe(false);
    const rows = await db.query('SELECT id, payload, state FROM bus_messages');
    expect(rows).toEqual([{ id: 'm1', payload: '{"v":1}', state: 'pending' }]);
  });

  it('publishes with the caller transaction: nothing on rollback, delivery after commit and notify', async () => {
    const { db, bus } = await start();
    const seen: string[] = [];
    bus.subscribe('signals', async (received) => void seen.push(received.id));
    await expect(
      db.transaction(async (tx) => {
        await bus.publish(message('rolled-back', 'A'), tx);
        throw new Error('signal insert failed');
      }),
    ).rejects.toThrow('signal insert failed');
    await db.transaction((tx) => bus.publish(message('committed', 'A'), tx));
    bus.notify('signals');
    await eventually(async () => expect(await states(db)).toEqual({ committed: 'done' }));
    expect(seen).toEqual(['committed']);
  });

  it('does not claim for a notify of a key it holds a message of; that key still follows, others run', async () => {
    const plain = await makeDb();
    await plain.migrate(busMigrations);
    let transactions = 0;
    // Counts transactions (a claim is one); everything else goes to the real database.
    const db = new Proxy(plain, {
      get(target, property) {
        if (property === 'transaction')
          return (fn: Parameters<Database['transaction']>[0]) => {
            transactions += 1;
            return target.transaction(fn);
          };
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const { bus } = await start(db);
    const firstRuns = deferred();
    const releaseFirst = deferred();
    const seen: string[] = [];
    bus.subscribe('signals', async (received) => {
      seen.push(received.id);
      if (received.id === 'a1') {
        firstRuns.resolve();
        await releaseFirst.promise;
      }
    });
    await bus.publish(message('a1', 'A'));
    await firstRuns.promise;
    await eventually(async () => expect((await states(db)).a1).toBe('processing'));
    const before = transactions;
    await db.transaction((tx) => bus.publish(message('a2', 'A'), tx));
    bus.notify('signals', 'A');
    for (let turn = 0; turn < 20; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
    expect(transactions - before).toBe(1); // the publish's own: no claim while a1 holds key A
    expect(await states(db)).toEqual({ a1: 'processing', a2: 'pending' });
    // Another key is claimed at once, while A is still held.
    await db.transaction((tx) => bus.publish(message('b1', 'B'), tx));
    bus.notify('signals', 'B');
    await eventually(async () => expect((await states(db)).b1).toBe('done'));
    releaseFirst.resolve();
    await eventually(async () => expect(await states(db)).toEqual({ a1: 'done', a2: 'done', b1: 'done' }));
    expect(seen).toEqual(['a1', 'b1', 'a2']);
  });

  it('keeps publish order per partition key and never runs two messages of one key at once', async () => {
    const { db, bus } = await start();
    const active = new Set<string>();
    const order: Record<string, string[]> = { A: [], B: [] };
    let overlaps = 0;
    let maxParallel = 0;
    for (let i = 0; i < 6; i++) {
      await bus.publish(message(`a${i}`, 'A'));
      await bus.publish(message(`b${i}`, 'B'));
    }
    bus.subscribe(
      'signals',
      async (received) => {
        if (active.has(received.partitionKey)) overlaps += 1;
        active.add(received.partitionKey);
        maxParallel = Math.max(maxParallel, active.size);
        await db.query('SELECT 1 AS one'); // real I/O, so other keys get a chance to interleave
        order[received.partitionKey]?.push(received.id);
        active.delete(received.partitionKey);
      },
      { concurrencyMax: 4 },
    );
    await eventually(() => expect(order['A']?.length).toBe(6));
    await eventually(() => expect(order['B']?.length).toBe(6));
    expect(overlaps).toBe(0);
    expect(order['A']).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'a5']);
    expect(order['B']).toEqual(['b0', 'b1', 'b2', 'b3', 'b4', 'b5']);
    expect(maxParallel).toBe(2);
  });

  it('runs different keys in parallel up to concurrencyMax and buffers at most bufferMax more', async () => {
    const { db, bus } = await start();
    const gates = new Map<string, Deferred>();
    for (const key of ['k1', 'k2', 'k3', 'k4', 'k5', 'k6']) {
      gates.set(key, deferred());
      await bus.publish(message(key, key));
    }
    const subscription = bus.subscribe(
      'signals',
      (received) => gates.get(received.id)?.promise ?? Promise.resolve(),
      {
        concurrencyMax: 3,
        bufferMax: 1,
      },
    );
    await eventually(() => expect(subscription.stats()).toMatchObject({ inFlight: 3, buffered: 1 }));
    const stats = await bus.stats();
    expect(stats.topics['signals']?.depth).toEqual({ pending: 2, processing: 4, done: 0, quarantined: 0 });
    for (const gate of gates.values()) gate.resolve();
    await eventually(async () => expect(Object.values(await states(db))).toEqual(Array(6).fill('done')));
  });

  it.each([
    [500, 1],
    [60_000, 0],
  ])(
    'with queueWaitMaxMs %i, a message waiting 500 ms for a handler slot is handed back %i times, then runs once, attempt uncounted',
    async (queueWaitMaxMs, handedBack) => {
      const { db, bus, clock } = await start();
      const gate = deferred();
      const deliveries: Array<{ id: string; attempt: number }> = [];
      await bus.publish(message('k1', 'k1'));
      await bus.publish(message('k2', 'k2'));
      const subscription = bus.subscribe(
        'signals',
        async (received) => {
          deliveries.push({ id: received.id, attempt: received.attempt });
          if (received.id === 'k1') await gate.promise;
        },
        { concurrencyMax: 1, bufferMax: 1, queueWaitMaxMs, pollIntervalMs: 10_000 },
      );
      await eventually(() => expect(subscription.stats()).toMatchObject({ inFlight: 1, buffered: 1 }));
      await clock.advance(500);
      await subscription.whenIdle({ handlers: false });
      expect(subscription.bulkheadStats()).toMatchObject({
        rejected: handedBack,
        concurrentMax: 1,
        queueMax: 1,
      });
      gate.resolve();
      await eventually(async () => expect(await states(db)).toEqual({ k1: 'done', k2: 'done' }));
      expect(deliveries).toEqual([
        { id: 'k1', attempt: 1 },
        { id: 'k2', attempt: 1 },
      ]);
    },
  );

  it('retries with growing backoff, quarantines after attemptsMax, and blocks only the same key meanwhile', async () => {
    const { db, bus, clock } = await start();
    const quarantined: QuarantineEvent[] = [];
    bus.onQuarantine((event) => quarantined.push(event));
    const deliveries: Array<{ id: string; attempt: number; atMs: number }> = [];
    let healed = false;
    const subscription = bus.subscribe(
      'signals',
      async (received) => {
        deliveries.push({ id: received.id, attempt: received.attempt, atMs: clock.nowMs() });
        if (received.id === 'poison' && !healed) throw new Error('cannot parse');
      },
      { attemptsMax: 3, backoff: (attempt) => 1_000 * attempt, pollIntervalMs: 100 },
    );
    const startMs = clock.nowMs();
    await bus.publish(message('poison', 'A'));
    await bus.publish(message('after-poison', 'A'));
    await bus.publish(message('other-key', 'B'));
    await eventually(async () => expect((await states(db))['other-key']).toBe('done'));
    expect((await states(db))['after-poison']).toBe('pending'); // waits behind the same key
    for (let i = 0; i < 40 && quarantined.length === 0; i++) {
      await clock.advance(100);
      await subscription.whenIdle();
    }
    await eventually(async () => expect((await states(db))['after-poison']).toBe('done'));
    const poison = deliveries.filter((delivery) => delivery.id === 'poison');
    expect(poison.map((delivery) => delivery.attempt)).toEqual([1, 2, 3]);
    expect(poison.map((delivery) => delivery.atMs - startMs)).toEqual([0, 1_000, 3_000]);
    expect(quarantined).toHaveLength(1);
    expect(quarantined[0]?.message.id).toBe('poison');
    expect(String(quarantined[0]?.error)).toContain('cannot parse');
    const [row] = await db.query('SELECT state, attempts, last_error FROM bus_messages WHERE id = ?', [
      'poison',
    ]);
    expect(row).toEqual({ state: 'quarantined', attempts: 3, last_error: 'Error: cannot parse' });
    expect((await bus.listQuarantined()).map((entry) => entry.id)).toEqual(['poison']);

    healed = true;
    expect(await bus.requeue('poison')).toBe(true);
    expect(await bus.requeue('poison')).toBe(false);
    await eventually(async () => expect((await states(db))['poison']).toBe('done'));
    expect(deliveries.at(-1)).toMatchObject({ id: 'poison', attempt: 1 });
  });

  it('re-delivers the message of a crashed consumer after its lease expires, and fences the late one', async () => {
    const first = await start();
    const hung = deferred();
    const firstSeen: number[] = [];
    first.bus.subscribe(
      'signals',
      async (received) => {
        firstSeen.push(received.attempt);
        await hung.promise;
      },
      { leaseMs: 5_000, pollIntervalMs: 100 },
    );
    await first.bus.publish(message('m1', 'A'));
    await eventually(() => expect(firstSeen).toEqual([1]));
    // A second process on the same store; the first one is frozen (its clock never moves again).
    const second = await start(await makeDb());
    const secondSeen: number[] = [];
    const subscription = second.bus.subscribe(
      'signals',
      async (received) => void secondSeen.push(received.attempt),
      {
        leaseMs: 5_000,
        pollIntervalMs: 100,
      },
    );
    for (let elapsedMs = 0; elapsedMs < 4_900; elapsedMs += 100) {
      await second.clock.advance(100);
      await subscription.whenIdle();
    }
    expect(secondSeen).toEqual([]); // lease still valid
    await second.clock.advance(100);
    await subscription.whenIdle();
    await eventually(async () => expect(await states(second.db)).toEqual({ m1: 'done' }));
    expect(secondSeen).toEqual([2]);
    // The frozen consumer wakes up and fails: its stale lease must not reopen the message.
    hung.reject(new Error('late failure'));
    await eventually(() =>
      expect(first.bus.stats().then((stats) => stats.subscriptions[0]?.inFlight)).resolves.toBe(0),
    );
    expect(await states(second.db)).toEqual({ m1: 'done' });
  });

  it("commits a handler's closing work with the done settle, and a consumer that lost its lease writes neither", async () => {
    const first = await start();
    await first.db.migrate([{ id: 'test-work-001', sql: 'CREATE TABLE work (by TEXT NOT NULL)' }]);
    const told: string[] = [];
    const hung = deferred();
    first.bus.subscribe(
      'signals',
      async (received, context) => {
        await hung.promise;
        context.settleWith({
          inTransaction: async (tx) => {
            await tx.execute('INSERT INTO work (by) VALUES (?)', [`first ${received.id}`]);
          },
          committed: () => told.push(`first ${received.id}`),
        });
      },
      { leaseMs: 5_000, pollIntervalMs: 100 },
    );
    await first.bus.publish(message('m1', 'A'));
    await eventually(async () => expect(await states(first.db)).toEqual({ m1: 'processing' }));
    // A second process takes the message over once the first one's lease has expired.
    const second = await start(await makeDb());
    const subscription = second.bus.subscribe(
      'signals',
      async (received, context) => {
        context.settleWith({
          inTransaction: async (tx) => {
            // Inside the settling transaction: the message is already done here.
            const [row] = await tx.query('SELECT state FROM bus_messages WHERE id = ?', [received.id]);
            await tx.execute('INSERT INTO work (by) VALUES (?)', [`second ${String(row?.['state'])}`]);
          },
          committed: () => told.push(`second ${received.id}`),
        });
      },
      { leaseMs: 5_000, pollIntervalMs: 100 },
    );
    for (let elapsedMs = 0; elapsedMs < 5_000; elapsedMs += 100) {
      await second.clock.advance(100);
      await subscription.whenIdle();
    }
    await eventually(async () => expect(await states(second.db)).toEqual({ m1: 'done' }));
    expect(told).toEqual(['second m1']);
    hung.resolve(); // the first consumer finishes late: its lease is gone, so is its work
    await eventually(() =>
      expect(first.bus.stats().then((stats) => stats.subscriptions[0]?.inFlight)).resolves.toBe(0),
    );
    expect(await second.db.query('SELECT by FROM work')).toEqual([{ by: 'second done' }]);
    expect(told).toEqual(['second m1']);
  });

  it('claims the next message of a key in the commit of the settle with work, and nothing when it rolls back', async () => {
    const { db, bus, clock } = await start();
    await db.migrate([{ id: 'test-work-002', sql: 'CREATE TABLE work (by TEXT NOT NULL)' }]);
    for (let i = 0; i < 4; i++) await bus.publish(message(`a${i}`, 'A'));
    const seen: string[] = [];
    let running = 0;
    let overlaps = 0;
    let failNext = true;
    const subscription = bus.subscribe('signals', async (received, context) => {
      running += 1;
      if (running > 1) overlaps += 1;
      seen.push(received.id);
      await db.query('SELECT 1 AS one'); // real I/O, so a second delivery of the key could overlap
      running -= 1;
      context.settleWith({
        inTransaction: async (tx) => {
          await tx.execute('INSERT INTO work (by) VALUES (?)', [received.id]);
          if (received.id === 'a1' && failNext) {
            failNext = false;
            throw new Error('closing work failed');
          }
        },
        committed: () => undefined,
      });
    });
    // a1's settle rolls back: its work, its done and the claim of a2 with it; a1 waits for its retry.
    await eventually(async () =>
      expect(await states(db)).toEqual({ a0: 'done', a1: 'pending', a2: 'pending', a3: 'pending' }),
    );
    await subscription.whenIdle();
    expect(seen).toEqual(['a0', 'a1']);
    await clock.advance(60_000);
    await eventually(async () =>
      expect(await states(db)).toEqual({ a0: 'done', a1: 'done', a2: 'done', a3: 'done' }),
    );
    expect(seen).toEqual(['a0', 'a1', 'a1', 'a2', 'a3']);
    expect(overlaps).toBe(0);
    const work = await db.query<{ by: string }>('SELECT by FROM work');
    expect(work.map((row) => row.by)).toEqual(['a0', 'a1', 'a2', 'a3']);
  });

  it('shares the work between two consumers on one store without duplicates or key reordering', async () => {
    const first = await start();
    const second = await start(await makeDb());
    const delivered: Array<{ id: string; consumer: string }> = [];
    const active = new Set<string>();
    let overlaps = 0;
    const handler = (consumer: string) => async (received: BusMessage) => {
      if (active.has(received.partitionKey)) overlaps += 1;
      active.add(received.partitionKey);
      await first.db.query('SELECT 1 AS one');
      delivered.push({ id: received.id, consumer });
      active.delete(received.partitionKey);
    };
    const keys = ['A', 'B', 'C', 'D'];
    for (let i = 0; i < 10; i++) for (const key of keys) await first.bus.publish(message(`${key}-${i}`, key));
    // Each holds at most two keys, so the other must take the rest.
    const options = { concurrencyMax: 2, bufferMax: 0 };
    const subscriptions = [
      first.bus.subscribe('signals', handler('first'), options),
      second.bus.subscribe('signals', handler('second'), options),
    ];
    // Fake time moves only while no I/O is pending, as if the database answered instantly.
    const idle = () => Promise.all(subscriptions.map((subscription) => subscription.whenIdle()));
    for (let round = 0; round < 100 && delivered.length < 40; round++) {
      await idle();
      await Promise.all([first.clock.advance(1_000), second.clock.advance(1_000)]);
    }
    await eventually(() => expect(delivered).toHaveLength(40));
    expect(new Set(delivered.map((entry) => entry.id)).size).toBe(40);
    expect(overlaps).toBe(0);
    for (const key of keys) {
      const ids = delivered.filter((entry) => entry.id.startsWith(`${key}-`)).map((entry) => entry.id);
      expect(ids).toEqual(Array.from({ length: 10 }, (_, i) => `${key}-${i}`));
    }
    expect(new Set(delivered.map((entry) => entry.consumer))).toEqual(new Set(['first', 'second']));
  });

  it("takes over a dead consumer's lease at start instead of waiting it out", async () => {
    const { db, bus, clock } = await start();
    await bus.publish(message('orphan', 'A'));
    // As left by a process killed while handling it: the lease still runs for 30 s.
    await db.execute(
      "UPDATE bus_messages SET state = 'processing', attempts = 1, lease_owner = 'dead', lease_until_ms = ? WHERE id = ?",
      [clock.nowMs() + 30_000, 'orphan'],
    );
    expect(await bus.expireLeases('signals')).toBe(1);
    const seen: string[] = [];
    bus.subscribe('signals', async (received) => void seen.push(received.id));
    await eventually(async () => expect(await states(db)).toEqual({ orphan: 'done' }));
    expect(seen).toEqual(['orphan']);
  });

  it('quarantines a message whose lease expired attemptsMax times instead of delivering it again', async () => {
    const { db, bus, clock } = await start();
    await bus.publish(message('crasher', 'A'));
    await bus.publish(message('next', 'A'));
    // As left by a process that crashed (or hung) on its third delivery.
    await db.execute(
      "UPDATE bus_messages SET state = 'processing', attempts = 3, lease_owner = 'dead', lease_until_ms = ? WHERE id = ?",
      [clock.nowMs() - 1, 'crasher'],
    );
    const quarantined: QuarantineEvent[] = [];
    bus.onQuarantine((event) => quarantined.push(event));
    const seen: string[] = [];
    const subscription = bus.subscribe('signals', async (received) => void seen.push(received.id), {
      attemptsMax: 3,
    });
    await subscription.whenIdle();
    await eventually(async () => expect(await states(db)).toEqual({ crasher: 'quarantined', next: 'done' }));
    expect(seen).toEqual(['next']);
    expect(quarantined.map((event) => event.message.id)).toEqual(['crasher']);
  });

  it('purges done messages older than the retention, and only those', async () => {
    const { db, bus, clock } = await start();
    const subscription = bus.subscribe('signals', async () => undefined);
    await bus.publish(message('old', 'A'));
    await subscription.whenIdle();
    await clock.advance(60_000);
    await bus.publish(message('recent', 'B'));
    await subscription.whenIdle();
    await bus.publish(message('waiting', 'C', {}), undefined);
    await subscription.stop();
    await db.execute("UPDATE bus_messages SET state = 'pending' WHERE id = 'waiting'");
    expect(await bus.purgeDone(30_000)).toBe(1);
    expect(await states(db)).toEqual({ recent: 'done', waiting: 'pending' });
  });

  it('abandons a handler after handlerTimeoutMs, aborts its signal and counts a failed attempt', async () => {
    const { db, bus, clock } = await start();
    const signals: AbortSignal[] = [];
    const quarantined: QuarantineEvent[] = [];
    bus.onQuarantine((event) => quarantined.push(event));
    const subscription = bus.subscribe(
      'signals',
      async (received, { signal }) => {
        if (received.id !== 'stuck') return;
        signals.push(signal);
        await new Promise<void>(() => undefined);
      },
      { handlerTimeoutMs: 1_000, attemptsMax: 2, backoff: () => 500, pollIntervalMs: 100 },
    );
    await bus.publish(message('stuck', 'A'));
    await bus.publish(message('next', 'A'));
    for (let elapsedMs = 0; elapsedMs < 3_000; elapsedMs += 100) {
      await clock.advance(100);
      await subscription.whenIdle({ handlers: false });
    }
    await subscription.whenIdle(); // 'next' has finished too
    expect(await states(db)).toEqual({ stuck: 'quarantined', next: 'done' });
    expect(signals).toHaveLength(2);
    expect(signals.every((signal) => signal.aborted)).toBe(true);
    expect(String(quarantined[0]?.error)).toContain('did not finish within 1000 ms');
  });

  it('reports depth per state and the age of the oldest unfinished message', async () => {
    const { bus, clock } = await start();
    await bus.publish(message('m1', 'A'));
    await clock.advance(2_000);
    await bus.publish(message('m2', 'B'));
    await clock.advance(3_000);
    const stats = await bus.stats();
    expect(stats.topics['signals']).toEqual({
      depth: { pending: 2, processing: 0, done: 0, quarantined: 0 },
      lagMs: 5_000,
    });
  });

  it('stop() waits for running handlers, hands buffered claims back and stops claiming', async () => {
    const { db, bus, clock } = await start();
    const gate = deferred();
    const seen: string[] = [];
    const subscription = bus.subscribe(
      'signals',
      async (received) => {
        seen.push(received.id);
        await gate.promise;
      },
      { concurrencyMax: 1, bufferMax: 1 },
    );
    await bus.publish(message('m1', 'A'));
    await bus.publish(message('m2', 'B'));
    await eventually(() =>
      expect(subscription.stats()).toEqual({ topic: 'signals', inFlight: 1, buffered: 1 }),
    );
    let stopped: { drained: boolean } | undefined;
    const stopping = bus.stop(5_000).then((result) => {
      stopped = result;
    });
    await eventually(async () => expect((await states(db))['m2']).toBe('pending'));
    expect(stopped).toBeUndefined(); // still waiting for m1
    gate.resolve();
    await stopping;
    expect(stopped).toEqual({ drained: true });
    await bus.publish(message('m3', 'C'));
    await clock.advance(10_000);
    expect(seen).toEqual(['m1']);
    expect(await states(db)).toEqual({ m1: 'done', m2: 'pending', m3: 'pending' });
    const [row] = await db.query('SELECT attempts FROM bus_messages WHERE id = ?', ['m2']);
    expect(row).toEqual({ attempts: 0 }); // handed back undelivered: the attempt is not counted
  });

  it('stop() gives up on a hung handler after its timeout', async () => {
    const { bus, clock } = await start();
    const subscription = bus.subscribe('signals', () => new Promise<void>(() => undefined));
    await bus.publish(message('m1', 'A'));
    await eventually(() => expect(subscription.stats().inFlight).toBe(1));
    let stopped: { drained: boolean } | undefined;
    const stopping = subscription.stop(1_000).then((result) => {
      stopped = result;
    });
    await clock.advance(999);
    expect(stopped).toBeUndefined();
    await clock.advance(1);
    await stopping;
    expect(stopped).toEqual({ drained: false });
  });

  it('rejects bad options and oversized payloads with the value in the message', async () => {
    const { bus } = await start();
    expect(() => bus.subscribe('signals', async () => undefined, { concurrencyMax: 0 })).toThrow(
      'concurrencyMax must be an integer >= 1, was 0',
    );
    expect(() => bus.subscribe('signals', async () => undefined, { bufferMax: 1.5 })).toThrow('was 1.5');
    await expect(bus.publish(message('big', 'A', 'x'.repeat(70_000)))).rejects.toThrow('was 70002');
    await expect(bus.publish(message('', 'A'))).rejects.toThrow('id must be a string');
  });
});
