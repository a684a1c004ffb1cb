// Goal (issue 14): a buy with stopLoss and takeProfit ends with the entry FILLED and an OCO pair on the
// exchange; the market falling through the stop fills the stop leg, cancels the take-profit leg and
// books the fill in the ledger (which still equals the wallets); a restart between the entry's fill and
// its protection places the protection once; a stop-loss alone is a stop order, a take-profit alone a
// limit order; a protection the exchange refuses raises onUnprotected.
// Method: the real engine, journal, verifier, ledger and adapter over the simulator (in-process
// transport), SQLite in memory, one fake clock; the simulator's price is moved on purpose.
import { afterEach, describe, expect, it } from 'vitest';
import { busMigrations, MessageBus } from '../../src/bus/index.js';
import { FakeClock } from '../../src/core/clock.js';
import { Decimal, floorToStep } from '../../src/core/decimal.js';
import { createRng } from '../../src/core/random.js';
import { Engine } from '../../src/engine/engine.js';
import { KillSwitch, killSwitchMigrations } from '../../src/engine/kill-switch.js';
import { LedgerOrderSink } from '../../src/engine/ledger-sink.js';
import type { UnprotectedEvent } from '../../src/engine/protection/protection-manager.js';
import { AdapterVerificationGateway } from '../../src/exchange/enhanced-nobitex-adapter/adapter-verification-gateway.js';
import { EnhancedNobitexAdapter } from '../../src/exchange/enhanced-nobitex-adapter/enhanced-nobitex-adapter.js';
import { NobitexClient } from '../../src/exchange/nobitex-client/nobitex-client.js';
import { OrderJournal } from '../../src/exchange/order-journal/order-journal.js';
import {
  createSimulator,
  SIMULATOR_DEFAULT_TOKEN,
  type Simulator,
} from '../../src/exchange/simulator/index.js';
import { InjectTransport } from '../../src/exchange/simulator/inject-transport.js';
import type { VerificationGateway } from '../../src/exchange/transaction-verification/gateway.js';
import { TransactionVerifier } from '../../src/exchange/transaction-verification/transaction-verifier.js';
import type { Signal } from '../../src/market-data/signal.js';
import { SignalStore } from '../../src/market-data/signal-store.js';
import { Ledger } from '../../src/position/ledger.js';
import { SqliteDatabase } from '../../src/storage/sqlite-database.js';

interface World {
  readonly clock: FakeClock;
  readonly simulator: Simulator;
  readonly db: SqliteDatabase;
  readonly journal: OrderJournal;
  readonly ledger: Ledger;
  readonly signals: SignalStore;
  readonly gateway: VerificationGateway;
  /** Market-rule reads that still succeed; past them the reads fail (protection cannot be placed). */
  rulesReadsLeft: number;
  engine: Engine;
  readonly unprotected: UnprotectedEvent[];
  close(): Promise<void>;
}

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function createWorld(): Promise<World> {
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
  const simulator = createSimulator({ seed: 14, clock, priceTickMs: 0 });
  const transport = new InjectTransport({ simulator, clock, headersTimeoutMs: 5_000 });
  const client = new NobitexClient({
    transport,
    auth: { kind: 'token', token: SIMULATOR_DEFAULT_TOKEN },
    userAgent: 'TraderBot/keel-test',
    clock,
  });
  const adapter = new EnhancedNobitexAdapter({ client, clock, rng: createRng(5) });
  const real = new AdapterVerificationGateway({ adapter, clock });
  const db = new SqliteDatabase({ path: ':memory:' });
  await db.migrate([...busMigrations, ...OrderJournal.migrations, ...killSwitchMigrations]);
  const ledger = await Ledger.open({ database: db, clock });
  for (const [asset, wallet] of Object.entries(simulator.wallets(SIMULATOR_DEFAULT_TOKEN)))
    await ledger.postOpening({ asset, available: wallet.balance, blocked: '0' });
  const journal = new OrderJournal({ db, clock });
  const signals = new SignalStore({ db, clock, rng: createRng(1), onAccepted: async () => {} });
  await signals.migrate();
  const w: World = {
    clock,
    simulator,
    db,
    journal,
    ledger,
    signals,
    rulesReadsLeft: Number.POSITIVE_INFINITY,
    gateway: real,
    engine: undefined as unknown as Engine,
    unprotected: [],
    close: async () => {
      await w.engine.stop(1_000);
      await adapter.close();
      await transport.close();
      await simulator.close();
      await db.close();
    },
  };
  const gateway: VerificationGateway = new Proxy(real, {
    get(target, property, receiver) {
      if (property === 'getMarketRules' && w.rulesReadsLeft-- <= 0)
        return async () => {
          throw new Error('market rules unavailable');
        };
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  w.engine = await startEngine(w, gateway);
  return w;
}

async function startEngine(w: World, gateway: VerificationGateway): Promise<Engine> {
  const verifier = new TransactionVerifier({
    journal: w.journal,
    gateway,
    clock: w.clock,
    ledger: new LedgerOrderSink(w.ledger),
    options: { pollIntervalMs: 200, pollIntervalMaxMs: 1_000 },
  });
  const engine = new Engine({
    signals: w.signals,
    bus: new MessageBus({ db: w.db, clock: w.clock }),
    journal: w.journal,
    verifier,
    gateway,
    ledger: w.ledger,
    killSwitch: await KillSwitch.open({ db: w.db, clock: w.clock }),
    clock: w.clock,
    limits: {
      allowedSymbols: ['BTCIRT'],
      maxOrderValue: {},
      maxPositionPerSymbol: {},
      maxOrdersPerMinute: 100,
    },
    subscribe: { pollIntervalMs: 100, backoff: () => 100 },
  });
  engine.protection.onUnprotected((event) => w.unprotected.push(event));
  await engine.start();
  return engine;
}

async function restart(w: World): Promise<void> {
  await w.engine.stop(1_000);
  w.engine = await startEngine(w, w.gateway);
}

const buy = (extra: Partial<Signal>): Signal => ({
  symbol: 'BTCIRT',
  base: 'btc',
  quote: 'rls',
  side: 'buy',
  size: { kind: 'base', amount: '0.01' },
  order: { type: 'market' },
  alertAtMs: 0,
  alertTimeSource: 'received',
  receivedAtMs: 0,
  ...extra,
});

async function accept(w: World, signal: Signal, key: string): Promise<string> {
  const nowMs = w.clock.nowMs();
  const stored = await w.signals.accept({
    signal: { ...signal, alertAtMs: nowMs, receivedAtMs: nowMs },
    dedupKey: key,
    raw: '{}',
    sourceIp: '127.0.0.1',
  });
  // The store's onAccepted hook is not wired to this engine: publish as keel-app does.
  const saved = await w.signals.get(stored.signalId);
  await w.db.transaction(async (tx) => w.engine.enqueue(tx, saved!));
  w.engine.notify();
  return stored.signalId;
}

async function settle(w: World, stepsMax = 200): Promise<void> {
  for (let i = 0; i < stepsMax; i++) await w.clock.advance(100);
  await w.engine.protection.idle();
}

const onExchange = (w: World) => w.simulator.groundTruthOrders().filter((o) => o.type === 'sell');

function expectLedgerEqualsWallets(w: World): void {
  const wallets = w.simulator.wallets(SIMULATOR_DEFAULT_TOKEN);
  for (const asset of ['btc', 'rls']) {
    const balances = w.ledger.balances(asset);
    expect(balances.total.toFixed(), `${asset} total`).toBe(new Decimal(wallets[asset]!.balance).toFixed());
    expect(balances.blocked.toFixed(), `${asset} blocked`).toBe(
      new Decimal(wallets[asset]!.blocked).toFixed(),
    );
  }
}

describe('protective orders (issue 14)', () => {
  it('protects a filled buy with an OCO pair; the price falling through the stop fills the stop leg, cancels the take-profit and books the fill', async () => {
    world = await createWorld();
    const w = world;
    const signalId = await accept(
      w,
      buy({ stopLoss: { percent: '2' }, takeProfit: { percent: '3' } }),
      'oco-1',
    );
    await settle(w);
    const entry = await w.journal.getBySignal(signalId);
    expect(entry?.state).toBe('FILLED');
    const pair = onExchange(w);
    expect(pair.map((o) => [o.execution, o.status])).toEqual([
      ['limit', 'Active'],
      ['stop_limit', 'Inactive'],
    ]);
    expect(pair[0]?.pairId).toBe(pair[1]?.id);
    // Everything the buy left in the wallet (its fee was paid in btc) is protected.
    const sellable = entry!.filledAmount.minus(entry!.fee).toFixed();
    expect(pair[0]?.amount).toBe(new Decimal(sellable).toFixed());
    expectLedgerEqualsWallets(w);

    w.simulator.setPrice('BTCIRT', pair[1]!.stopPrice!);
    await settle(w);
    const [takeProfit, stopLeg] = onExchange(w);
    expect(stopLeg?.status).toBe('Done');
    expect(takeProfit?.status).toBe('Canceled');
    const rows = await w.journal.protectiveOrders(entry!.id);
    expect(rows.map((row) => [row.role, row.state])).toEqual([
      ['oco', 'CANCELLED'],
      ['oco_stop', 'FILLED'],
    ]);
    const stopFills = await w.journal.fills(rows[1]!.id);
    expect(stopFills.reduce((sum, fill) => sum.plus(fill.amount), new Decimal(0)).toFixed()).toBe(
      new Decimal(sellable).toFixed(),
    );
    expectLedgerEqualsWallets(w);
    expect(w.unprotected).toEqual([]);
    // Every protective order carries the entry's signal: a strategy's orders stay together.
    expect(rows.every((row) => row.signalId === signalId)).toBe(true);
  });

  it('places the protection once across a restart between the entry fill and its protection', async () => {
    world = await createWorld();
    const w = world;
    // The entry's decision reads the rules; then the protection cannot, and keeps retrying.
    w.rulesReadsLeft = 1;
    const signalId = await accept(
      w,
      buy({ stopLoss: { percent: '2' }, takeProfit: { percent: '3' } }),
      'r-1',
    );
    for (let i = 0; i < 60 && (await w.journal.getBySignal(signalId))?.state !== 'FILLED'; i++)
      await w.clock.advance(100);
    expect((await w.journal.getBySignal(signalId))?.state).toBe('FILLED');
    expect(onExchange(w)).toHaveLength(0);
    await restart(w);
    w.rulesReadsLeft = Number.POSITIVE_INFINITY;
    await settle(w);
    expect(onExchange(w).map((o) => o.execution)).toEqual(['limit', 'stop_limit']);
    await restart(w);
    await settle(w);
    expect(onExchange(w)).toHaveLength(2);
    expect(onExchange(w).map((o) => o.status)).toEqual(['Active', 'Inactive']);
    expectLedgerEqualsWallets(w);
  });

  it('protects with a stop order for a stop-loss alone and with a limit order for a take-profit alone', async () => {
    world = await createWorld();
    const w = world;
    await accept(w, buy({ stopLoss: { percent: '2' } }), 'sl-1');
    await settle(w);
    await accept(w, buy({ takeProfit: { percent: '3' } }), 'tp-1');
    await settle(w);
    expect(onExchange(w).map((o) => [o.execution, o.status])).toEqual([
      ['stop_market', 'Inactive'],
      ['limit', 'Active'],
    ]);
    expectLedgerEqualsWallets(w);
  });

  it("places the OCO's stop leg at the alert's stopLimitPrice", async () => {
    world = await createWorld();
    const w = world;
    const stopLimit = floorToStep(
      new Decimal(w.simulator.lastPrice('BTCIRT')).times('0.97'),
      new Decimal(10),
    ).toFixed();
    await accept(
      w,
      buy({ stopLoss: { percent: '2' }, takeProfit: { percent: '3' }, stopLimitPrice: { price: stopLimit } }),
      'oco-stop-limit',
    );
    await settle(w);
    const pair = onExchange(w);
    expect(pair.map((o) => [o.execution, o.status])).toEqual([
      ['limit', 'Active'],
      ['stop_limit', 'Inactive'],
    ]);
    expect(pair[1]?.price).toBe(stopLimit);
  });

  it('follows further fills of a resting entry: the protection for the old amount is cancelled and one for the new amount placed', async () => {
    world = await createWorld();
    const w = world;
    // A limit buy above the market meets thin levels: it fills in parts, a part per fresh book.
    const price = new Decimal(w.simulator.lastPrice('BTCIRT')).times('1.003').round().toFixed();
    const signalId = await accept(
      w,
      buy({
        size: { kind: 'base', amount: '1' },
        order: { type: 'limit', price, expiresInMs: 'gtc' },
        stopLoss: { percent: '5' },
      }),
      'grow-1',
    );
    await settle(w);
    const first = await w.journal.getBySignal(signalId);
    expect(first?.state).toBe('PARTIALLY_FILLED');
    const sellable = (entry: { filledAmount: Decimal; fee: Decimal }) =>
      floorToStep(entry.filledAmount.minus(entry.fee), new Decimal('0.000001')).toFixed();
    const firstAmount = sellable(first!);
    expect(onExchange(w).map((o) => [o.execution, o.status, o.amount])).toEqual([
      ['stop_market', 'Inactive', firstAmount],
    ]);
    w.simulator.tick(1);
    await settle(w);
    const second = await w.journal.getBySignal(signalId);
    expect(second!.filledAmount.gt(first!.filledAmount)).toBe(true);
    const live = onExchange(w).filter((o) => o.status === 'Inactive');
    expect(live.map((o) => o.amount)).toEqual([sellable(second!)]);
    expect(onExchange(w).map((o) => o.status)).toEqual(['Canceled', 'Inactive']);
    const rows = await w.journal.protectiveOrders(second!.id);
    expect(rows.map((row) => row.state)).toEqual(['CANCELLED', 'ACCEPTED']);
    expect(w.unprotected).toEqual([]);
    expectLedgerEqualsWallets(w);
  });

  it('places a stop-market entry that waits Inactive for its stop, good till cancelled, and fills when the market reaches it', async () => {
    world = await createWorld();
    const w = world;
    const last = new Decimal(w.simulator.lastPrice('BTCIRT'));
    const stopPrice = floorToStep(last.times('1.02'), new Decimal(10)).toFixed();
    const signalId = await accept(
      w,
      buy({ order: { type: 'stop_market', stopPrice, expiresInMs: 'gtc' } }),
      'stop-entry-1',
    );
    await settle(w, 2_000); // 200 s: longer than the default 120 s lifetime of a resting order
    const [waiting] = w.simulator.groundTruthOrders();
    expect([waiting?.execution, waiting?.status, waiting?.stopPrice]).toEqual([
      'stop_market',
      'Inactive',
      stopPrice,
    ]);
    expect((await w.journal.getBySignal(signalId))?.state).toBe('ACCEPTED');
    expectLedgerEqualsWallets(w); // the waiting stop holds the same funds in both
    w.simulator.setPrice('BTCIRT', stopPrice);
    await settle(w);
    expect((await w.journal.getBySignal(signalId))?.state).toBe('FILLED');
    expect((await w.signals.get(signalId))?.state).toBe('executed');
    expectLedgerEqualsWallets(w);
  });

  it('withdraws a protection on purpose (closing the position): both OCO legs cancelled, no alert, not placed again after a restart', async () => {
    world = await createWorld();
    const w = world;
    const signalId = await accept(
      w,
      buy({ stopLoss: { percent: '2' }, takeProfit: { percent: '3' } }),
      'close-1',
    );
    await settle(w);
    const entry = (await w.journal.getBySignal(signalId))!;
    expect(onExchange(w).map((o) => o.status)).toEqual(['Active', 'Inactive']);
    await w.engine.protection.withdraw(entry.id, 'action close');
    await settle(w);
    expect(onExchange(w).map((o) => o.status)).toEqual(['Canceled', 'Canceled']);
    expect((await w.journal.protectiveOrders(entry.id)).map((row) => row.state)).toEqual([
      'CANCELLED',
      'CANCELLED',
    ]);
    expect((await w.journal.get(entry.id))?.protection).toBeNull();
    await restart(w);
    await settle(w);
    expect(onExchange(w)).toHaveLength(2);
    expect(w.unprotected).toEqual([]);
    expectLedgerEqualsWallets(w);
  });

  it('raises onUnprotected when the exchange refuses the protective order', async () => {
    world = await createWorld();
    const w = world;
    // A stop-loss above the market: Nobitex refuses the stop order (BadPrice).
    const above = new Decimal(w.simulator.lastPrice('BTCIRT')).times('1.05').round().toFixed();
    const signalId = await accept(w, buy({ stopLoss: { price: above } }), 'bad-1');
    await settle(w);
    expect((await w.journal.getBySignal(signalId))?.state).toBe('FILLED');
    expect(w.unprotected).toHaveLength(1);
    expect(w.unprotected[0]?.reason).toMatch(/BadPrice/);
  });
});
