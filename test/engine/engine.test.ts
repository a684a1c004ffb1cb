// Goal: the engine turns each durable signal into at most one order, ends every signal, refuses while
// halted, waits out an unreachable exchange without burning attempts, and quarantines a poisonous signal.
// Method: real SignalStore, bus, journal, ledger on SQLite; a scripted in-memory exchange; fake clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { busMigrations, MessageBus } from '../../src/bus/index.js';
import { FakeClock } from '../../src/core/clock.js';
import { Decimal } from '../../src/core/decimal.js';
import { CircuitOpenError } from '../../src/core/errors.js';
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

const buy = (amount = '0.001'): Signal => ({
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

describe('Engine', () => {
  let db: SqliteDatabase;
  let clock: FakeClock;
  let gateway: FakeGateway;
  let signals: SignalStore;
  let journal: OrderJournal;
  let killSwitch: KillSwitch;
  let engine: Engine;

  beforeEach(async () => {
    db = new SqliteDatabase({ path: ':memory:' });
    clock = new FakeClock();
    await db.migrate([...busMigrations, ...OrderJournal.migrations, ...killSwitchMigrations]);
    gateway = new FakeGateway();
    gateway.script = Array.from({ length: 10 }, () => 'acceptFilled' as const);
    const ledger = await Ledger.open({ database: db, clock });
    // Decisions read balances from the ledger: open it with what the fake exchange holds.
    await ledger.postOpening({ asset: 'rls', available: '1000000000000', blocked: '0' });
    await ledger.postOpening({ asset: 'btc', available: '1', blocked: '0' });
    journal = new OrderJournal({ db, clock });
    killSwitch = await KillSwitch.open({ db, clock });
    const bus = new MessageBus({ db, clock });
    const verifier = new TransactionVerifier({
      journal,
      gateway,
      clock,
      ledger: new LedgerOrderSink(ledger),
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
    engine = new Engine({
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
      exchangeWaitMaxMs: 60_000,
      subscribe: { pollIntervalMs: 100, backoff: () => 100 },
    });
    enqueue = engine.enqueue;
    await engine.start();
  });
  afterEach(async () => {
    await engine.stop(1_000);
    await db.close();
  });

  const accept = async (template: Signal, key: string) => {
    const signal = { ...template, alertAtMs: clock.nowMs(), receivedAtMs: clock.nowMs() };
    const result = await signals.accept({ signal, dedupKey: key, raw: '{}', sourceIp: '127.0.0.1' });
    engine.notify();
    return result.signalId;
  };
  const settle = async (steps = 50) => {
    for (let i = 0; i < steps; i++) await clock.advance(100);
  };

  it('turns a signal into one filled order and marks the signal executed', async () => {
    const id = await accept(buy(), 'k1');
    await settle();
    expect((await signals.get(id))?.state).toBe('executed');
    expect((await journal.getBySignal(id))?.state).toBe('FILLED');
    expect(gateway.placeCalls).toHaveLength(1);
    // The market's last price the decision saw is journaled: the reference of fill slippage (issue 18).
    expect((await journal.getBySignal(id))?.decisionPrice?.toFixed()).toBe('7000000000');
  });

  it('refuses signals while halted and trades again once an operator lifts the halt', async () => {
    await killSwitch.set('HALTED', { source: 'reconciliation', by: 'test', reason: 'drift' });
    const refused = await accept(buy(), 'k1');
    await settle();
    expect((await signals.get(refused))?.state).toBe('rejected');
    expect((await signals.get(refused))?.lastError).toMatch(/EngineHalted/);
    await killSwitch.set('RUNNING', { source: 'operator', by: 'alice', reason: 'checked' });
    const taken = await accept(buy(), 'k2');
    await settle();
    expect((await signals.get(taken))?.state).toBe('executed');
    expect(gateway.placeCalls).toHaveLength(1);
  });

  it('refuses a signal straight from received, in the commit that settles its bus message', async () => {
    await killSwitch.set('HALTED', { source: 'reconciliation', by: 'test', reason: 'drift' });
    const moves: string[] = [];
    const updateState = signals.updateState.bind(signals);
    signals.updateState = async (id, state, error, tx) => {
      // Inside the settling transaction the bus message is already marked done.
      const [message] =
        (await tx?.query('SELECT state FROM bus_messages WHERE id = ?', [`signal:${id}`])) ?? [];
      moves.push(`${state} (bus message ${String(message?.['state'] ?? 'not in this transaction')})`);
      return updateState(id, state, error, tx);
    };
    const refused = await accept(buy(), 'k1');
    await settle();
    expect((await signals.get(refused))?.state).toBe('rejected');
    expect(moves).toEqual(['rejected (bus message done)']);
  });

  it('rolls the refusal back with the settle when that commit fails, and refuses again on redelivery', async () => {
    await killSwitch.set('HALTED', { source: 'reconciliation', by: 'test', reason: 'drift' });
    const outcomes: string[] = [];
    engine.onSignalOutcome((outcome) => outcomes.push(`${outcome.signalId} ${outcome.state}`));
    const updateState = signals.updateState.bind(signals);
    let failures = 1;
    signals.updateState = async (id, state, error, tx) => {
      const updated = await updateState(id, state, error, tx);
      if (tx !== undefined && failures-- > 0) throw new Error('disk full');
      return updated;
    };
    const refused = await accept(buy(), 'k1');
    await settle();
    expect((await signals.get(refused))?.state).toBe('rejected');
    // Told once, after the commit that held: never for the rolled-back attempt.
    expect(outcomes).toEqual([`${refused} rejected`]);
    const [message] = await db.query('SELECT state, attempts FROM bus_messages WHERE id = ?', [
      `signal:${refused}`,
    ]);
    expect(message).toEqual({ state: 'done', attempts: 2 });
  });

  it("records a refusal's outcome in the commit that ends the signal, and tells of it after that commit", async () => {
    await killSwitch.set('HALTED', { source: 'reconciliation', by: 'test', reason: 'drift' });
    const recorded: string[] = [];
    let failures = 1;
    engine.recordOutcomes(async (outcome, tx) => {
      // Inside the settling transaction: the signal is already rejected there.
      const [row] = (await tx?.query('SELECT state FROM signals WHERE id = ?', [outcome.signalId])) ?? [];
      recorded.push(`${outcome.state} ${outcome.code} (signal ${String(row?.['state'] ?? 'outside')})`);
      if (failures-- > 0) throw new Error('disk full'); // rolls the end back: nothing is told
      return () => recorded.push('told');
    });
    const refused = await accept(buy(), 'k1');
    await settle();
    expect((await signals.get(refused))?.state).toBe('rejected');
    const recordedOnce = 'rejected EngineHalted (signal rejected)';
    expect(recorded).toEqual([recordedOnce, recordedOnce, 'told']);
    const [message] = await db.query('SELECT state, attempts FROM bus_messages WHERE id = ?', [
      `signal:${refused}`,
    ]);
    expect(message).toEqual({ state: 'done', attempts: 2 });
  });

  it('refuses what the preconditions refuse, with the exchange code', async () => {
    const id = await accept(buy('0.00001'), 'k1');
    await settle();
    expect((await signals.get(id))?.lastError).toMatch(/SmallOrder/);
    expect(gateway.placeCalls).toHaveLength(0);
  });

  it('checks balances against the shadow ledger, without asking the exchange for wallets', async () => {
    const walletsAsked: number[] = [];
    gateway.getWallets = async () => {
      walletsAsked.push(1);
      throw new Error('wallets must not be read per signal');
    };
    const tooBig = await accept(buy('200'), 'k1');
    await settle();
    expect((await signals.get(tooBig))?.lastError).toMatch(/OverValueOrder/);
    const fine = await accept(buy(), 'k2');
    await settle();
    expect((await signals.get(fine))?.state).toBe('executed');
    expect(walletsAsked).toHaveLength(0);
    expect(gateway.placeCalls).toHaveLength(1);
  });

  it('lets a signal wait while the exchange cannot be asked, then trades it', async () => {
    const rules = gateway.getMarketRules.bind(gateway);
    let down = true;
    gateway.getMarketRules = async (market) => {
      if (down) throw new CircuitOpenError('marketData breaker open');
      return rules(market);
    };
    const id = await accept(buy(), 'k1');
    await settle(100);
    expect((await signals.get(id))?.state).toBe('processing');
    expect((await signals.get(id))?.attempts).toBe(0);
    down = false;
    await settle(30);
    expect((await signals.get(id))?.state).toBe('executed');
  });

  it('quarantines a signal whose processing keeps failing, without blocking others', async () => {
    const rules = gateway.getMarketRules.bind(gateway);
    gateway.getMarketRules = async () => {
      throw new TypeError('market rules parser bug');
    };
    const poisoned = await accept(buy(), 'k1');
    await settle(100);
    expect((await signals.get(poisoned))?.state).toBe('quarantined');
    gateway.getMarketRules = rules;
    const healthy = await accept(buy(), 'k2');
    await settle();
    expect((await signals.get(healthy))?.state).toBe('executed');
  });

  it('posts every fill to the ledger, balanced', async () => {
    await accept(buy(), 'k1');
    await settle();
    const ledger = await Ledger.open({ database: db, clock });
    expect(ledger.isBalanced('btc')).toBe(true);
    expect(ledger.balances('btc').total.toString()).toBe(new Decimal('1.001').minus('0.0000015').toString());
  });
});
