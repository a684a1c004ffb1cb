// Goal (issue 12, mode 5): an UNKNOWN order is never stuck for ever. A manual trade by the account
// holder does not block the resend of an order proven absent; a trade that could really be this order
// still forbids a resend, and then the order is reported overdue once (a critical alert in the app)
// and an operator can end it without any resend.
// Method: the real verifier and SQLite journal against the scripted in-memory exchange on a fake
// clock. Before the fix any trade on the same side after the send blocked the resend for ever
// (proved: still UNKNOWN after 6 h), and verifyDeadlineMs raised nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { Decimal } from '../../src/core/decimal.js';
import { clientOrderIdFor, type OrderIntent } from '../../src/exchange/order-journal/order-intent.js';
import { OrderJournal } from '../../src/exchange/order-journal/order-journal.js';
import type { ExchangeTrade } from '../../src/exchange/transaction-verification/gateway.js';
import {
  type OverdueEvent,
  TransactionVerifier,
} from '../../src/exchange/transaction-verification/transaction-verifier.js';
import { SqliteDatabase } from '../../src/storage/sqlite-database.js';
import { FakeGateway } from '../support/fake-verification-gateway.js';

const BTC_RLS = { base: 'btc', quote: 'rls' } as const;
let db: SqliteDatabase;
let clock: FakeClock;
let journal: OrderJournal;
let gateway: FakeGateway;
let verifier: TransactionVerifier;
const overdue: OverdueEvent[] = [];

beforeEach(async () => {
  db = new SqliteDatabase({ path: ':memory:' });
  await db.migrate(OrderJournal.migrations);
  clock = new FakeClock(Date.UTC(2026, 0, 1));
  journal = new OrderJournal({ db, clock });
  gateway = new FakeGateway();
  overdue.length = 0;
  verifier = new TransactionVerifier({
    journal,
    gateway,
    clock,
    options: {
      absenceGraceMs: 5_000,
      pollIntervalMs: 100,
      pollIntervalMaxMs: 1_000,
      verifyDeadlineMs: 60_000,
    },
  });
  verifier.onOverdue((event) => overdue.push(event));
});
afterEach(async () => db.close());

const prepare = async (): Promise<OrderIntent> =>
  (
    await journal.prepare({
      id: 'o-s1',
      signalId: 's1',
      clientOrderId: clientOrderIdFor('s1'),
      market: BTC_RLS,
      side: 'buy',
      execution: 'limit',
      amount: new Decimal('0.001'),
      price: new Decimal('7000000000'),
      cause: 'signal',
    })
  ).intent;

/** A trade on the account that Keel did not place; `listed` puts its order in the order list. */
function manualTrade(input: { orderId: string; amount: string; price: string; listed: boolean }): void {
  const trade: ExchangeTrade = {
    id: `manual-${input.orderId}`,
    orderId: input.orderId,
    market: BTC_RLS,
    side: 'buy',
    amount: new Decimal(input.amount),
    price: new Decimal(input.price),
    total: new Decimal(input.amount).times(input.price),
    fee: new Decimal(0),
    atMs: clock.nowMs(),
  };
  gateway.trades.push(trade);
  if (input.listed)
    gateway.orders.push({
      id: input.orderId,
      clientOrderId: null,
      status: 'Done',
      market: BTC_RLS,
      side: 'buy',
      amount: trade.amount,
      matchedAmount: trade.amount,
      averagePrice: trade.price,
      fee: new Decimal(0),
      createdAtMs: clock.nowMs(),
    });
}

/** Runs while the fake clock moves in 100 ms steps, up to `limitMs`; undefined if still running. */
async function runFor(intent: OrderIntent, limitMs: number, during?: () => void) {
  const aborter = new AbortController();
  let settled: OrderIntent | undefined;
  const done = verifier.run(intent, aborter.signal).then(
    (result) => {
      settled = result;
    },
    () => {},
  );
  for (let elapsedMs = 0; elapsedMs < limitMs && settled === undefined; elapsedMs += 100) {
    await clock.advance(100);
    during?.();
  }
  if (settled === undefined) aborter.abort(new Error('test over'));
  await done;
  return settled;
}

describe('an UNKNOWN order is never stuck for ever (issue 12, mode 5)', () => {
  it('resends an order proven absent although the account holder traded the same side by hand', async () => {
    gateway.script = ['unknown', 'acceptFilled'];
    let traded = false;
    const result = await runFor(await prepare(), 60_000, () => {
      if (traded || gateway.placeCalls.length === 0) return;
      traded = true;
      // A manual buy the order list shows (clientOrderId null), and one it no longer lists at a price
      // our limit would never pay, and one larger than our order.
      manualTrade({ orderId: '9001', amount: '0.0005', price: '6900000000', listed: true });
      manualTrade({ orderId: '9002', amount: '0.0005', price: '7100000000', listed: false });
      manualTrade({ orderId: '9003', amount: '0.5', price: '6900000000', listed: false });
    });
    expect(result?.state).toBe('FILLED');
    expect(gateway.placeCalls.map((call) => call.clientOrderId)).toEqual([
      clientOrderIdFor('s1'),
      clientOrderIdFor('s1'),
    ]);
    expect(overdue).toEqual([]);
  });

  it('never resends past a trade that could be this order, reports it overdue once, and lets an operator end it', async () => {
    gateway.script = ['unknown'];
    let traded = false;
    const intent = await prepare();
    const stillRunning = await runFor(intent, 120_000, () => {
      if (traded || gateway.placeCalls.length === 0) return;
      traded = true;
      manualTrade({ orderId: '9100', amount: '0.001', price: '6990000000', listed: false });
    });
    expect(stillRunning).toBeUndefined();
    expect(gateway.placeCalls).toHaveLength(1);
    expect(overdue.map((event) => `${event.intent.id}:${event.intent.state}`)).toEqual(['o-s1:UNKNOWN']);
    expect(overdue[0]?.unresolvedForMs).toBeGreaterThanOrEqual(60_000);
    // The operator checked the exchange and ends it: the next verification run ends at once, unsent.
    const ended = await verifier.endStuckOrder('o-s1', { by: 'ops', reason: 'not on the exchange' });
    expect(ended.state).toBe('EXPIRED');
    const after = await runFor(ended, 1_000);
    expect(after?.state).toBe('EXPIRED');
    expect(gateway.placeCalls).toHaveLength(1);
    await expect(verifier.endStuckOrder('o-s1', { by: 'ops', reason: 'again' })).rejects.toThrow(/UNKNOWN/);
  });

  it('an operator ending the order stops a verification that is waiting on it', async () => {
    gateway.script = ['unknown'];
    const intent = await prepare();
    let traded = false;
    let ended = false;
    const result = await runFor(intent, 120_000, () => {
      if (!traded && gateway.placeCalls.length > 0) {
        traded = true;
        manualTrade({ orderId: '9200', amount: '0.001', price: '6990000000', listed: false });
      }
      if (!ended && overdue.length > 0) {
        ended = true;
        void verifier.endStuckOrder('o-s1', { by: 'ops', reason: 'checked by hand' });
      }
    });
    expect(result?.state).toBe('EXPIRED');
    expect(gateway.placeCalls).toHaveLength(1);
  });
});

describe('the lifetime of a resting limit order is not the overdue deadline (issue 12, mode 5)', () => {
  it('keeps an accepted order open for its own lifetime without an overdue report, then cancels it', async () => {
    gateway.script = ['accept'];
    const { intent } = await journal.prepare({
      id: 'o-s2',
      signalId: 's2',
      clientOrderId: clientOrderIdFor('s2'),
      market: BTC_RLS,
      side: 'buy',
      execution: 'limit',
      amount: new Decimal('0.001'),
      price: new Decimal('6000000000'),
      cause: 'signal',
      lifetimeMs: 600_000, // the alert's expiresIn: 10m
    });
    expect(intent.lifetimeMs).toBe(600_000);
    expect(await runFor(intent, 590_000)).toBeUndefined(); // the default 120 s lifetime does not apply
    expect(gateway.orders[0]?.status).toBe('Active');
    expect(overdue).toEqual([]); // resting for 590 s is not "verification overdue" (60 s here)
    const ended = await runFor((await journal.get('o-s2')) ?? intent, 60_000);
    expect(ended?.state).toBe('EXPIRED');
    expect(gateway.orders[0]?.status).toBe('Canceled');
    expect(overdue).toEqual([]);
  });
});
