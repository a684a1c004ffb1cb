// Goal (issue 12, mode 5): one order that cannot be resolved stops nothing else. Six later signals on
// the same symbol trade within the hold bound instead of queueing 90 s behind it, and a start with an
// order left UNKNOWN takes new signals at once instead of waiting for that order.
// Method: real SignalStore, bus, journal, ledger and verifier on SQLite; an in-memory exchange that
// answers every placement of one clientOrderId with an ambiguous failure (so its order stays UNKNOWN
// through the absence grace and every resend); fake clock. Before the fix the six signals waited for
// the failing order's three sends (3 × 30 s), and start() awaited every open order.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { busMigrations, MessageBus } from '../../src/bus/index.js';
import { FakeClock } from '../../src/core/clock.js';
import { Decimal } from '../../src/core/decimal.js';
import { createRng } from '../../src/core/random.js';
import { Engine } from '../../src/engine/engine.js';
import { KillSwitch, killSwitchMigrations } from '../../src/engine/kill-switch.js';
import { LedgerOrderSink } from '../../src/engine/ledger-sink.js';
import { clientOrderIdFor } from '../../src/exchange/order-journal/order-intent.js';
import { OrderJournal } from '../../src/exchange/order-journal/order-journal.js';
import type { PlaceOrderRequest, PlaceOutcome } from '../../src/exchange/transaction-verification/gateway.js';
import { TransactionVerifier } from '../../src/exchange/transaction-verification/transaction-verifier.js';
import type { Signal } from '../../src/market-data/signal.js';
import { SignalStore } from '../../src/market-data/signal-store.js';
import { Ledger } from '../../src/position/ledger.js';
import { SqliteDatabase } from '../../src/storage/sqlite-database.js';
import { FakeGateway } from '../support/fake-verification-gateway.js';

/** Fills every order at once, except those of `failing` clientOrderIds: ambiguous, never placed. */
class OneFailingOrderGateway extends FakeGateway {
  readonly failing = new Set<string>();
  override async placeOrder(request: PlaceOrderRequest): Promise<PlaceOutcome> {
    if (this.failing.has(request.clientOrderId)) {
      this.placeCalls.push(request);
      return { kind: 'unknown', reason: 'HTTP 504 from the proxy' };
    }
    this.script = ['acceptFilled'];
    return super.placeOrder(request);
  }
}

const buy = (amount: string): Signal => ({
  symbol: 'BTCIRT',
  base: 'btc',
  quote: 'rls',
  side: 'buy',
  size: { kind: 'base', amount },
  order: { type: 'market' },
  alertAtMs: 0,
  alertTimeSource: 'received',
  receivedAtMs: 0,
});

let db: SqliteDatabase;
let clock: FakeClock;
let gateway: OneFailingOrderGateway;
let signals: SignalStore;
let journal: OrderJournal;
let engine: Engine | undefined;
let build: () => Promise<Engine>;

beforeEach(async () => {
  db = new SqliteDatabase({ path: ':memory:' });
  clock = new FakeClock();
  await db.migrate([...busMigrations, ...OrderJournal.migrations, ...killSwitchMigrations]);
  gateway = new OneFailingOrderGateway();
  const ledger = await Ledger.open({ database: db, clock });
  await ledger.postOpening({ asset: 'rls', available: '1000000000000', blocked: '0' });
  await ledger.postOpening({ asset: 'btc', available: '1', blocked: '0' });
  journal = new OrderJournal({ db, clock });
  const killSwitch = await KillSwitch.open({ db, clock });
  const bus = new MessageBus({ db, clock });
  const verifier = new TransactionVerifier({
    journal,
    gateway,
    clock,
    ledger: new LedgerOrderSink(ledger),
    options: { absenceGraceMs: 30_000, submitAttemptsMax: 3 },
  });
  let enqueue: Engine['enqueue'] = async () => {};
  signals = new SignalStore({
    db,
    clock,
    rng: createRng(1),
    onAccepted: async (tx, batch) => {
      for (const stored of batch) await enqueue(tx, stored);
    },
  });
  await signals.migrate();
  build = async () => {
    const created = new Engine({
      signals,
      bus,
      journal,
      verifier,
      gateway,
      ledger,
      killSwitch,
      clock,
      limits: {
        allowedSymbols: ['BTCIRT'],
        maxOrderValue: {},
        maxPositionPerSymbol: {},
        maxOrdersPerMinute: 100,
      },
      exchangeWaitMaxMs: 600_000,
      orderHoldMaxMs: 10_000,
      subscribe: { pollIntervalMs: 100, backoff: () => 100 },
    });
    enqueue = created.enqueue;
    return created;
  };
});
afterEach(async () => {
  await engine?.stop(1_000);
  engine = undefined;
  await db.close();
});

const accept = async (key: string, amount: string) => {
  const signal = { ...buy(amount), alertAtMs: clock.nowMs(), receivedAtMs: clock.nowMs() };
  const result = await signals.accept({ signal, dedupKey: key, raw: '{}', sourceIp: '127.0.0.1' });
  engine?.notify();
  return result.signalId;
};
/** Advances fake time in 100 ms steps until `done` or `limitMs`; returns the time it took. */
const advanceUntil = async (done: () => Promise<boolean>, limitMs: number): Promise<number> => {
  for (let elapsedMs = 0; elapsedMs <= limitMs; elapsedMs += 100) {
    if (await done()) return elapsedMs;
    await clock.advance(100);
  }
  return Number.POSITIVE_INFINITY;
};
const states = async (ids: readonly string[]) =>
  Promise.all(ids.map(async (id) => (await signals.get(id))?.state));

describe('one stuck order stops nothing else (issue 12, mode 5)', () => {
  it('trades six later signals on the same symbol within the hold bound, not 90 s behind the failing order', async () => {
    engine = await build();
    await engine.start();
    const stuck = await accept('stuck', '0.001');
    gateway.failing.add(clientOrderIdFor(stuck));
    const later: string[] = [];
    for (let n = 1; n <= 6; n++) later.push(await accept(`later-${n}`, `0.00${n + 1}`));
    const tookMs = await advanceUntil(
      async () => (await states(later)).every((state) => state === 'executed'),
      120_000,
    );
    expect(tookMs).toBeLessThanOrEqual(15_000);
    // The failing order was never resent blindly: it is still being resolved, its signal still open.
    expect((await journal.getBySignal(stuck))?.state).toBe('UNKNOWN');
    expect((await signals.get(stuck))?.state).toBe('processing');
    // It still ends: proven absent after each grace, sent at most three times, then EXPIRED.
    await advanceUntil(async () => (await signals.get(stuck))?.state === 'rejected', 200_000);
    expect((await journal.getBySignal(stuck))?.state).toBe('EXPIRED');
    expect(gateway.placeCalls.filter((call) => call.clientOrderId === clientOrderIdFor(stuck))).toHaveLength(
      3,
    );
  });

  it('takes new signals at once on a start that finds an order left UNKNOWN', async () => {
    // A previous run died while sending: the journal holds an order in SUBMITTING.
    const stuckSignal = await accept('left-open', '0.001');
    await signals.updateState(stuckSignal, 'processing');
    const { intent } = await journal.prepare({
      id: `ord-${stuckSignal}`,
      signalId: stuckSignal,
      clientOrderId: clientOrderIdFor(stuckSignal),
      market: { base: 'btc', quote: 'rls' },
      side: 'buy',
      execution: 'market',
      amount: new Decimal('0.001'),
      price: null,
      cause: 'test',
    });
    await journal.transition(intent.id, 'SUBMITTING', { cause: 'sending', patch: { submitCount: 1 } });
    gateway.failing.add(clientOrderIdFor(stuckSignal));
    engine = await build();
    await engine.start();
    const fresh = await accept('fresh', '0.002');
    const tookMs = await advanceUntil(async () => (await signals.get(fresh))?.state === 'executed', 60_000);
    expect(tookMs).toBeLessThanOrEqual(15_000);
    expect((await journal.getBySignal(stuckSignal))?.state).toBe('UNKNOWN');
  });
});
