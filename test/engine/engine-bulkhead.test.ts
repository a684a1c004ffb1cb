// Goal (issue 17): the engine's signal handlers run in a bulkhead whose limits (bulkheads.engine,
// passed as the engine's subscribe options by wiring/engine.ts) decide how many signals are worked on
// at once; at most one per symbol, whatever the limit. Method: real SignalStore, bus, journal and
// ledger on SQLite; a gateway whose market-rules call is held open by hand; fake clock.
import { afterEach, describe, expect, it } from 'vitest';
import { busMigrations, MessageBus } from '../../src/bus/index.js';
import { FakeClock } from '../../src/core/clock.js';
import { createRng } from '../../src/core/random.js';
import { Engine } from '../../src/engine/engine.js';
import { KillSwitch, killSwitchMigrations } from '../../src/engine/kill-switch.js';
import { LedgerOrderSink } from '../../src/engine/ledger-sink.js';
import { OrderJournal } from '../../src/exchange/order-journal/order-journal.js';
import { TransactionVerifier } from '../../src/exchange/transaction-verification/transaction-verifier.js';
import type { Signal } from '../../src/market-data/signal.js';
import { SignalStore } from '../../src/market-data/signal-store.js';
import { Ledger } from '../../src/position/ledger.js';
import { SqliteDatabase } from '../../src/storage/sqlite-database.js';
import { FakeGateway } from '../support/fake-verification-gateway.js';

const buy = (symbol: string, base: Signal['base']): Signal => ({
  symbol,
  base,
  quote: 'rls',
  side: 'buy',
  size: { kind: 'base', amount: '0.001' },
  order: { type: 'market' },
  alertAtMs: 0,
  alertTimeSource: 'received',
  receivedAtMs: 0,
});

async function startEngine(concurrencyMax: number) {
  const db = new SqliteDatabase({ path: ':memory:' });
  const clock = new FakeClock();
  await db.migrate([...busMigrations, ...OrderJournal.migrations, ...killSwitchMigrations]);
  const gateway = new FakeGateway();
  gateway.script = Array.from({ length: 10 }, () => 'acceptFilled' as const);
  // Each decision asks for market rules (recorded by base currency), held open until released.
  const rules = gateway.getMarketRules.bind(gateway);
  const held: (() => void)[] = [];
  const asked: string[] = [];
  gateway.getMarketRules = async (market) => {
    asked.push(market.base);
    await new Promise<void>((resolve) => held.push(resolve));
    return rules(market);
  };
  const ledger = await Ledger.open({ database: db, clock });
  await ledger.postOpening({ asset: 'rls', available: '1000000000000', blocked: '0' });
  const journal = new OrderJournal({ db, clock });
  const killSwitch = await KillSwitch.open({ db, clock });
  const bus = new MessageBus({ db, clock });
  const verifier = new TransactionVerifier({ journal, gateway, clock, ledger: new LedgerOrderSink(ledger) });
  let enqueue: Engine['enqueue'] = async () => {};
  const signals = new SignalStore({
    db,
    clock,
    rng: createRng(1),
    onAccepted: async (tx, batch) => {
      for (const stored of batch) await enqueue(tx, stored);
    },
  });
  await signals.migrate();
  const engine = new Engine({
    signals,
    bus,
    journal,
    verifier,
    gateway,
    ledger,
    killSwitch,
    clock,
    limits: {
      allowedSymbols: ['BTCIRT', 'ETHIRT', 'USDTIRT'],
      maxOrderValue: {},
      maxPositionPerSymbol: {},
      maxOrdersPerMinute: 100,
    },
    subscribe: { concurrencyMax, bufferMax: 4, queueWaitMaxMs: 600_000, pollIntervalMs: 100 },
  });
  enqueue = engine.enqueue;
  await engine.start();
  const accept = async (signal: Signal, key: string) => {
    const timed = { ...signal, alertAtMs: clock.nowMs(), receivedAtMs: clock.nowMs() };
    await signals.accept({ signal: timed, dedupKey: key, raw: '{}', sourceIp: '127.0.0.1' });
    engine.notify();
  };
  const settle = async (steps = 20) => {
    for (let i = 0; i < steps; i++) await clock.advance(100);
  };
  const close = async () => {
    for (const release of held.splice(0)) release();
    await engine.stop(1_000);
    await db.close();
  };
  return { engine, accept, settle, asked, held, gateway, close };
}

describe('the engine bulkhead', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it.each([
    [1, ['btc']],
    [2, ['btc', 'eth']],
    [3, ['btc', 'eth']],
  ])(
    'with concurrentMax %i, works on %j at once (never two of one symbol)',
    async (concurrencyMax, first) => {
      const run = await startEngine(concurrencyMax);
      closers.push(run.close);
      await run.accept(buy('BTCIRT', 'btc'), 'b1');
      await run.accept(buy('ETHIRT', 'eth'), 'e1');
      await run.accept(buy('BTCIRT', 'btc'), 'b2');
      await run.settle();
      expect(run.asked).toEqual(first);
      expect(run.engine.workStats()).toMatchObject({ running: first.length, concurrentMax: concurrencyMax });
      // Released one by one, every signal is decided and traded once.
      while (run.asked.length < 3 || run.held.length > 0) {
        for (const release of run.held.splice(0)) release();
        await run.settle();
      }
      expect([...run.asked].sort()).toEqual(['btc', 'btc', 'eth']);
      expect(run.gateway.placeCalls).toHaveLength(3);
    },
  );
});
