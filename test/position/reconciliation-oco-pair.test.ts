// Goal: the stop leg of Keel's OCO is not reported as an order unknown to the journal though its own
// row does not exist yet and the order list, as Nobitex documents it, shows no `pairId`: the journal
// kept the leg's id from the OCO's placing answer. An OCO placed by hand is still reported, both legs.
// Method: the real order path over the simulator (test/support/sim-verifier-harness.ts: client,
// adapter, verifier, SQLite journal, fake clock); a Reconciler on its own ledger, given the app's open
// orders and known-orders provider (src/app/reconciliation-loop.ts).
import { afterEach, expect, it } from 'vitest';
import { journalKnownOrders, openOrdersOf } from '../../src/app/reconciliation-loop.js';
import { Decimal } from '../../src/core/decimal.js';
import { clientOrderIdFor } from '../../src/exchange/order-journal/order-intent.js';
import { Ledger } from '../../src/position/ledger.js';
import { Reconciler } from '../../src/position/reconciliation.js';
import { SqliteDatabase } from '../../src/storage/sqlite-database.js';
import { limitPrice } from '../simulator/helpers.js';
import { createSimVerifierHarness, type SimVerifierHarness } from '../support/sim-verifier-harness.js';

let h: SimVerifierHarness | undefined;
let db: SqliteDatabase | undefined;
afterEach(async () => {
  await h?.close();
  await db?.close();
});

it("knows the stop leg of Keel's OCO from the journal though the order list shows no pairId; reports a hand-placed OCO", async () => {
  const harness = await createSimVerifierHarness();
  h = harness;
  const market = { base: 'btc', quote: 'rls' } as const;
  const prices = {
    price: new Decimal(limitPrice(harness.simulator, 'BTCIRT', 0.05)),
    stopPrice: new Decimal(limitPrice(harness.simulator, 'BTCIRT', -0.05)),
    stopLimitPrice: new Decimal(limitPrice(harness.simulator, 'BTCIRT', -0.06)),
  };
  const { intent } = await harness.journal.prepare({
    id: 'ord-s1:p:0.01',
    signalId: 's1',
    clientOrderId: clientOrderIdFor('s1/protect/0.01'),
    market,
    side: 'sell',
    execution: 'limit',
    amount: new Decimal('0.01'),
    price: prices.price,
    cause: 'entry filled',
    role: 'oco',
    parentOrderId: 'ord-s1',
    stopPrice: prices.stopPrice,
    stopLimitPrice: prices.stopLimitPrice,
  });
  const stop = new AbortController();
  const run = harness.verifier.run(intent, stop.signal).catch(() => undefined);
  for (let spentMs = 0; spentMs < 10_000; spentMs += 100) {
    if ((await harness.journal.get(intent.id))?.state === 'ACCEPTED') break;
    await harness.clock.advance(100);
  }
  stop.abort();
  await harness.clock.advance(1_000);
  await run;
  const accepted = await harness.journal.get(intent.id);
  expect(accepted?.state).toBe('ACCEPTED');
  const hand = await harness.gateway.placeOrder({
    market,
    side: 'sell',
    execution: 'limit',
    amount: new Decimal('0.01'),
    price: prices.price.plus(10),
    clientOrderId: 'by-hand',
    oco: { stopPrice: prices.stopPrice.minus(10), stopLimitPrice: prices.stopLimitPrice },
  });
  expect(hand.kind).toBe('accepted');

  const open = await openOrdersOf(harness.adapter);
  expect(open).toHaveLength(4);
  expect(open.every((order) => order.pairId === null)).toBe(true);
  const legs = harness.simulator.groundTruthOrders();
  const keelLimit = legs.find((order) => String(order.id) === accepted?.exchangeOrderId);
  const keelStop = legs.find((order) => order.id === keelLimit?.pairId);
  const handLimit = legs.find((order) => order.clientOrderId === 'by-hand');
  const handIds = [String(handLimit?.id), String(handLimit?.pairId)].sort();
  // The stop leg has no client order id and no row of its own yet.
  expect(keelStop?.clientOrderId).toBeNull();
  expect(await harness.journal.knownExchangeOrderIds([String(keelStop?.id)])).toEqual(new Set());

  db = new SqliteDatabase({ path: ':memory:' });
  const ledger = await Ledger.open({ database: db, clock: harness.clock });
  const reconciler = await Reconciler.create({
    ledger,
    database: db,
    clock: harness.clock,
    fetchWallets: async () => new Map(),
    tolerances: {},
    fetchOpenOrders: () => openOrdersOf(harness.adapter),
    knownOrders: journalKnownOrders(harness.journal),
  });
  const result = await reconciler.runOnce();
  expect(result.unknownOrders.map((order) => order.id).sort()).toEqual(handIds);
});
