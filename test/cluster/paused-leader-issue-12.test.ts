// Goal (issue 12, failure mode 8): a leader paused between committing SUBMITTING and sending (a GC
// pause, SIGSTOP, a VM migration) must not place the order when it wakes after a new leader has taken
// over and resent it. Before a placing request leaves, the send guard confirms the lease outlasts the
// request; a demotion aborts the request.
// Method: in-process equivalent of SIGSTOP/SIGCONT with injected clocks. Two instances share one SQLite
// journal, one lease store and one simulator. The paused instance's timers run on their own FakeClock
// that stands still while it is paused (as a stopped process's timers do), while its wall time moves on
// with everyone else's; its SUBMITTING commit returns only when it wakes. On wake the commit's
// continuation runs before any of its overdue timers: the worst order a real process can see.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Clock, FakeClock, type TimerHandle } from '../../src/core/clock.js';
import { Decimal } from '../../src/core/decimal.js';
import { createRng } from '../../src/core/random.js';
import { AdapterVerificationGateway } from '../../src/exchange/enhanced-nobitex-adapter/adapter-verification-gateway.js';
import { EnhancedNobitexAdapter } from '../../src/exchange/enhanced-nobitex-adapter/enhanced-nobitex-adapter.js';
import { NobitexClient } from '../../src/exchange/nobitex-client/nobitex-client.js';
import { clientOrderIdFor, type OrderIntent } from '../../src/exchange/order-journal/order-intent.js';
import { OrderJournal } from '../../src/exchange/order-journal/order-journal.js';
import {
  createSimulator,
  SIMULATOR_DEFAULT_TOKEN,
  type Simulator,
} from '../../src/exchange/simulator/index.js';
import { InjectTransport } from '../../src/exchange/simulator/inject-transport.js';
import { SendGuard } from '../../src/exchange/transaction-verification/send-guard.js';
import { TransactionVerifier } from '../../src/exchange/transaction-verification/transaction-verifier.js';
import type { Database, Queryable } from '../../src/storage/database.js';
import type { LeaseStore } from '../../src/storage/leadership/leader-lease.js';
import { LeaseRunner } from '../../src/storage/leadership/lease-runner.js';
import { LeaseWriteFence } from '../../src/storage/leadership/lease-write-fence.js';
import { SqliteDatabase } from '../../src/storage/sqlite-database.js';

const LEASE_TTL_MS = 3_000;
const LEASE_RENEW_INTERVAL_MS = 1_000;
const ORDERS_TIMEOUT_MS = 1_500;
const PAUSE_MS = 20_000;
const STEP_MS = 100;

/** One lease row, as PostgreSQL keeps it: holder token and expiry, compared with the caller's time. */
class MemoryLeaseStore implements LeaseStore {
  #token = 0;
  #expiresAtMs = 0;
  async tryAcquire(request: { nowMs: number; ttlMs: number }): Promise<number | undefined> {
    if (this.#token !== 0 && this.#expiresAtMs > request.nowMs) return undefined;
    this.#token++;
    this.#expiresAtMs = request.nowMs + request.ttlMs;
    return this.#token;
  }
  async renew(request: { token: number; nowMs: number; ttlMs: number }): Promise<boolean> {
    if (request.token !== this.#token || this.#expiresAtMs <= request.nowMs) return false;
    this.#expiresAtMs = request.nowMs + request.ttlMs;
    return true;
  }
  async release(token: number): Promise<void> {
    if (token === this.#token) this.#expiresAtMs = 0;
  }
  async holds(_tx: Queryable, request: { token: number; nowMs: number }): Promise<boolean> {
    return request.token === this.#token && this.#expiresAtMs > request.nowMs;
  }
}

/** Wall time from the shared clock; timers on the instance's own clock, which stops while paused. */
class PausableClock implements Clock {
  constructor(
    readonly wall: FakeClock,
    readonly timers: FakeClock,
  ) {}
  nowMs(): number {
    return this.wall.nowMs();
  }
  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    return this.timers.setTimeout(callback, delayMs);
  }
  clearTimeout(handle: TimerHandle): void {
    this.timers.clearTimeout(handle);
  }
  sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
    return this.timers.sleep(delayMs, signal);
  }
}

/** The paused instance's database: after the armed commit, the code goes on only once it wakes. */
class FreezingDatabase {
  #armed = false;
  #wake: (() => void) | undefined;
  frozen = false;
  constructor(readonly inner: Database) {}
  freezeAfterNextCommit(): void {
    this.#armed = true;
  }
  wake(): void {
    this.frozen = false;
    this.#wake?.();
  }
  asDatabase(): Database {
    return new Proxy(this.inner, {
      get: (target, property, receiver) => {
        if (property !== 'transaction') {
          const value = Reflect.get(target, property, receiver) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        }
        return async <T>(fn: (tx: Queryable) => Promise<T>): Promise<T> => {
          const result = await target.transaction(fn);
          if (this.#armed) {
            this.#armed = false;
            this.frozen = true;
            await new Promise<void>((resolve) => {
              this.#wake = resolve;
            });
          }
          return result;
        };
      },
    });
  }
}

interface Instance {
  readonly lease: LeaseRunner;
  readonly journal: OrderJournal;
  readonly verifier: TransactionVerifier;
}

function createInstance(options: {
  id: string;
  clock: Clock;
  db: Database;
  store: LeaseStore;
  simulator: Simulator;
  guarded: boolean;
}): Instance {
  const { clock } = options;
  const lease = new LeaseRunner(options.store, {
    instanceId: options.id,
    ttlMs: LEASE_TTL_MS,
    renewIntervalMs: LEASE_RENEW_INTERVAL_MS,
    clock,
  });
  const journal = new OrderJournal({ db: options.db, clock, fence: new LeaseWriteFence(lease) });
  const transport = new InjectTransport({ simulator: options.simulator, clock, headersTimeoutMs: 2_000 });
  const client = new NobitexClient({
    transport,
    auth: { kind: 'token', token: SIMULATOR_DEFAULT_TOKEN },
    userAgent: `TraderBot/keel-${options.id}`,
    clock,
  });
  const adapter = new EnhancedNobitexAdapter({
    client,
    clock,
    rng: createRng(7),
    options: { timeoutMs: { orders: ORDERS_TIMEOUT_MS } },
  });
  const verifier = new TransactionVerifier({
    journal,
    gateway: new AdapterVerificationGateway({ adapter, clock }),
    clock,
    options: { absenceGraceMs: 2_000, pollIntervalMs: 200, pollIntervalMaxMs: 1_000 },
    ...(options.guarded
      ? {
          sendGuard: new SendGuard({
            halted: async () => false,
            staleAtMs: async () => undefined,
            lease,
            requestTimeoutMs: ORDERS_TIMEOUT_MS,
            clock,
          }),
        }
      : {}),
  });
  return { lease, journal, verifier };
}

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** Runs the scenario; returns how many exchange orders carry the order's clientOrderId. */
async function pausedLeaderScenario(guarded: boolean): Promise<{ orders: number; finalState: string }> {
  const wall = new FakeClock(Date.UTC(2026, 0, 1));
  const pausedTimers = new FakeClock(wall.nowMs());
  const simulator = createSimulator({ seed: 812, clock: wall, priceTickMs: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'keel-paused-leader-'));
  // The scenario steps both instances on fake clocks; a FULL commit would wait for a WAL flush on
  // another thread (real time). Durability is not what this test is about: the lease fence is.
  const db = new SqliteDatabase({ path: join(dir, 'keel.db'), synchronous: 'NORMAL' });
  cleanup.push(
    () => simulator.close(),
    () => rmSync(dir, { recursive: true, force: true }),
    () => db.close(),
  );
  await db.migrate(OrderJournal.migrations);
  const store = new MemoryLeaseStore();
  const freezing = new FreezingDatabase(db);
  const common = { store, simulator, guarded };
  const old = createInstance({
    id: 'old',
    clock: new PausableClock(wall, pausedTimers),
    db: freezing.asDatabase(),
    ...common,
  });
  const next = createInstance({ id: 'new', clock: wall, db, ...common });
  cleanup.push(
    () => old.lease.release(),
    () => next.lease.release(),
  );
  let oldAwake = true;
  const tick = async () => {
    await wall.advance(STEP_MS);
    if (oldAwake) await pausedTimers.advance(STEP_MS);
  };

  // 1. The old instance leads; the new one stands by.
  old.lease.start();
  await tick();
  expect(old.lease.isLeader).toBe(true);
  next.lease.start();
  await tick();
  expect(next.lease.isLeader).toBe(false);

  // 2. The old leader prepares an order, commits SUBMITTING, and is paused before the request leaves.
  const { intent } = await old.journal.prepare({
    id: 'ord-s1',
    signalId: 's1',
    clientOrderId: clientOrderIdFor('s1'),
    market: { base: 'btc', quote: 'rls' },
    side: 'buy',
    execution: 'market',
    amount: new Decimal('0.001'),
    price: null,
    cause: 'signal s1',
  });
  freezing.freezeAfterNextCommit();
  const oldRun = old.verifier.run(intent);
  for (let i = 0; i < 5 && !freezing.frozen; i++) await wall.advance(0);
  expect(freezing.frozen).toBe(true);
  expect((await next.journal.get(intent.id))?.state).toBe('SUBMITTING');
  oldAwake = false;

  // 3. While it is paused its lease expires; the new leader takes over, finds the order SUBMITTING,
  //    proves it absent past the grace period and resends it with the same clientOrderId.
  let nextRun: Promise<OrderIntent> | undefined;
  for (let spentMs = 0; spentMs < PAUSE_MS; spentMs += STEP_MS) {
    await tick();
    if (nextRun === undefined && next.lease.isLeader)
      nextRun = Promise.all(
        (await next.journal.listNonTerminal()).map((open) => next.verifier.run(open)),
      ).then((ended) => ended[0] as OrderIntent);
  }
  expect(nextRun).toBeDefined();
  expect(simulator.groundTruthOrders()).toHaveLength(1);

  // 4. The old leader wakes: its commit returns before any of its overdue timers has run.
  freezing.wake();
  for (let i = 0; i < 5; i++) await wall.advance(0);
  oldAwake = true;
  await pausedTimers.advance(PAUSE_MS);
  for (let i = 0; i < 100; i++) await tick();
  await Promise.allSettled([oldRun, nextRun]);
  const orders = simulator.groundTruthOrders().filter((o) => o.clientOrderId === intent.clientOrderId);
  return { orders: orders.length, finalState: (await next.journal.get(intent.id))?.state ?? 'none' };
}

describe('a paused old leader (issue 12, mode 8)', () => {
  it('without the lease check before sending, wakes up and places the order a second time', async () => {
    const { orders } = await pausedLeaderScenario(false);
    expect(orders).toBe(2);
  });

  it('with the send guard, wakes up and sends nothing: one order, filled once', async () => {
    const { orders, finalState } = await pausedLeaderScenario(true);
    expect(orders).toBe(1);
    expect(finalState).toBe('FILLED');
  });
});
