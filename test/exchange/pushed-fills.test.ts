// Goal (issue 16, fills pushed): a pushed trade is booked once, by trade id, exactly like a polled
// one, even when the push repeats it or brings events out of order; a pushed final state ends the
// order without a status request; while the link is up polls slow down; while it is down polling
// carries on, and after a gap every order is asked by REST again so that missed fills are booked.
// Method: the in-memory FakeGateway with counted calls, a hand-driven PushFeed, SQLite journal, fake clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { Decimal } from '../../src/core/decimal.js';
import { EventEmitter } from '../../src/core/events.js';
import {
  clientOrderIdFor,
  type OrderFill,
  type OrderIntent,
} from '../../src/exchange/order-journal/order-intent.js';
import { OrderJournal } from '../../src/exchange/order-journal/order-journal.js';
import type { ExchangeTrade } from '../../src/exchange/transaction-verification/gateway.js';
import type { PushedOrder, PushFeed } from '../../src/exchange/transaction-verification/push-feed.js';
import { TransactionVerifier } from '../../src/exchange/transaction-verification/transaction-verifier.js';
import { SqliteDatabase } from '../../src/storage/sqlite-database.js';
import { FakeGateway } from '../support/fake-verification-gateway.js';

class HandPushFeed implements PushFeed {
  readonly trades = new EventEmitter<ExchangeTrade>();
  readonly orders = new EventEmitter<PushedOrder>();
  readonly links = new EventEmitter<{ readonly up: boolean }>();
  readonly onTrade = this.trades.addListener;
  readonly onOrder = this.orders.addListener;
  readonly onLink = this.links.addListener;
  up = true;
  isUp(): boolean {
    return this.up;
  }
  setUp(up: boolean): void {
    this.up = up;
    this.links.emit({ up });
  }
}

/** Counts the gateway's status and trade-list requests. */
class CountingGateway extends FakeGateway {
  statusCalls = 0;
  tradePageCalls = 0;
  clientIdCalls = 0;
  override async getOpenOrderByClientOrderId(clientOrderId: string) {
    this.clientIdCalls++;
    return super.getOpenOrderByClientOrderId(clientOrderId);
  }
  override async getOrderById(id: string) {
    this.statusCalls++;
    return super.getOrderById(id);
  }
  override async listTradesPage(market: Parameters<FakeGateway['listTradesPage']>[0], page: number) {
    this.tradePageCalls++;
    return super.listTradesPage(market, page);
  }
}

describe('pushed fills in verification', () => {
  let db: SqliteDatabase;
  let clock: FakeClock;
  let journal: OrderJournal;
  let gateway: CountingGateway;
  let push: HandPushFeed;
  const fills: OrderFill[] = [];

  const verifierWith = (feed: PushFeed | undefined) =>
    new TransactionVerifier({
      journal,
      gateway,
      clock,
      ...(feed === undefined ? {} : { push: feed }),
      options: {
        pollIntervalMs: 100,
        pollIntervalMaxMs: 1_000,
        pushedPollIntervalMs: 5_000,
        orderLifetimeMs: 600_000,
      },
      ledger: {
        onOpen: async () => {},
        onFill: async (_intent, fill) => void fills.push(fill),
        onFinished: async () => {},
      },
    });

  beforeEach(async () => {
    db = new SqliteDatabase({ path: ':memory:' });
    await db.migrate(OrderJournal.migrations);
    clock = new FakeClock();
    journal = new OrderJournal({ db, clock });
    gateway = new CountingGateway();
    push = new HandPushFeed();
    fills.length = 0;
  });
  afterEach(async () => db.close());

  const prepare = async (signalId = 's1'): Promise<OrderIntent> =>
    (
      await journal.prepare({
        id: `o-${signalId}`,
        signalId,
        clientOrderId: clientOrderIdFor(signalId),
        market: { base: 'btc', quote: 'rls' },
        side: 'buy',
        execution: 'limit',
        amount: new Decimal('0.003'),
        price: new Decimal('7000000000'),
        cause: 'signal',
      })
    ).intent;

  /** Runs the verifier while the fake clock moves `stepMs` at a time; `during(step)` acts on the world. */
  async function runWhile(
    verifier: TransactionVerifier,
    intent: OrderIntent,
    during: (step: number) => void,
    options: { stepMs?: number; stepsMax?: number } = {},
  ): Promise<OrderIntent | undefined> {
    let settled: OrderIntent | undefined;
    void verifier.run(intent).then((result) => {
      settled = result;
    });
    for (let step = 0; step < (options.stepsMax ?? 400) && settled === undefined; step++) {
      await clock.advance(options.stepMs ?? 10);
      during(step);
    }
    return settled;
  }

  const pushedOrder = (id: string, matched: string, status: PushedOrder['status']): PushedOrder => ({
    id,
    clientOrderId: clientOrderIdFor('s1'),
    status,
    market: { base: 'btc', quote: 'rls' },
    side: 'buy',
    amount: new Decimal('0.003'),
    matchedAmount: new Decimal(matched),
    averagePrice: new Decimal('7000000000'),
    fee: new Decimal(0),
    eventAtMs: clock.nowMs(),
  });

  it('books pushed trades once each, duplicated and out of order, and ends on the pushed final state', async () => {
    const verifier = verifierWith(push);
    const result = await runWhile(verifier, await prepare(), (step) => {
      const order = gateway.orders[0];
      if (step !== 5 || order === undefined) return;
      for (const amount of ['0.001', '0.001', '0.001']) gateway.fill(order.id, amount);
      const [t1, t2, t3] = gateway.trades;
      if (t1 === undefined || t2 === undefined || t3 === undefined) throw new Error('three trades');
      // Out of order, with repeats; the final order state arrives before an older one.
      for (const trade of [t3, t1, t3, t2, t1]) push.trades.emit(trade);
      push.orders.emit(pushedOrder(order.id, '0.003', 'Done'));
      push.orders.emit(pushedOrder(order.id, '0.001', 'Active'));
    });
    expect(result?.state).toBe('FILLED');
    expect(fills.map((fill) => fill.tradeId).sort()).toEqual(['t1', 't2', 't3']);
    expect(await journal.fills('o-s1')).toHaveLength(3);
    expect(result?.filledAmount.toString()).toBe('0.003');
    // Trades came pushed: the trade list was never read.
    expect(gateway.tradePageCalls).toBe(0);
  });

  it('a trade pushed before its order is adopted is booked once the order is known', async () => {
    const verifier = verifierWith(push);
    gateway.script = ['acceptFilled'];
    const intent = await prepare();
    // The exchange fills at once and pushes the trade before the placing answer is handled.
    const placeOrder = gateway.placeOrder.bind(gateway);
    gateway.placeOrder = async (request) => {
      const outcome = await placeOrder(request);
      const trade = gateway.trades[0];
      if (trade !== undefined) push.trades.emit(trade);
      return outcome;
    };
    const result = await runWhile(verifier, intent, () => {});
    expect(result?.state).toBe('FILLED');
    expect(fills.map((fill) => fill.tradeId)).toEqual(['t1']);
  });

  it('polls less while the link is up than without pushes', async () => {
    const during = (step: number) => {
      const order = gateway.orders[0];
      if (step === 3_000 && order !== undefined) gateway.fill(order.id, '0.003');
    };
    await runWhile(verifierWith(undefined), await prepare('s1'), during, { stepsMax: 3_100 });
    const polled = gateway.statusCalls;
    gateway = new CountingGateway();
    await runWhile(verifierWith(push), await prepare('s2'), during, { stepsMax: 3_100 });
    expect(polled).toBeGreaterThan(0);
    expect(gateway.statusCalls * 2).toBeLessThanOrEqual(polled);
  });

  it('keeps asking about an UNKNOWN order at the usual pace while the link is up: no push proves it absent', async () => {
    // The first send's outcome is unknown and a trade that could be it (another order's, same side,
    // price within the limit) forbids a resend: only lookups can settle it, so they must not slow down.
    const lookupsFor = async (feed: PushFeed | undefined, signalId: string) => {
      gateway = new CountingGateway();
      gateway.script = ['unknown'];
      gateway.trades.push({
        id: 'x1',
        orderId: '999',
        market: { base: 'btc', quote: 'rls' },
        side: 'buy',
        amount: new Decimal('0.001'),
        price: new Decimal('6900000000'),
        total: new Decimal('6900000'),
        fee: new Decimal(0),
        atMs: clock.nowMs() + 50,
      });
      const result = await runWhile(verifierWith(feed), await prepare(signalId), () => {}, {
        stepMs: 100,
        stepsMax: 1_200,
      });
      expect(result).toBeUndefined(); // still UNKNOWN: never resent
      expect((await journal.get(`o-${signalId}`))?.state).toBe('UNKNOWN');
      return gateway.clientIdCalls;
    };
    const polled = await lookupsFor(undefined, 's1');
    const withLinkUp = await lookupsFor(push, 's2');
    expect(polled).toBeGreaterThan(60);
    expect(withLinkUp).toBeGreaterThanOrEqual(polled - 2);
  });

  it('polls as usual while the link is down, and after the gap asks REST and books the missed fills', async () => {
    const verifier = verifierWith(push);
    let statusCallsAtDown = 0;
    let gapEndedAtMs = 0;
    const result = await runWhile(verifier, await prepare(), (step) => {
      const order = gateway.orders[0];
      if (order === undefined) return;
      if (step === 2) {
        push.setUp(false);
        statusCallsAtDown = gateway.statusCalls;
      }
      // Fills while the link is down: nothing pushed; polling books them.
      if (step === 20) gateway.fill(order.id, '0.001');
      if (step === 120) {
        push.setUp(true);
        // A fill during a silent stall: never pushed. The gap's catch-up must find it.
        gateway.fill(order.id, '0.002');
        push.setUp(false);
        push.setUp(true);
        gapEndedAtMs = clock.nowMs();
      }
    });
    // Caught up at once after the gap, not at the next poll (up to 1 s away, 5 s while up).
    expect(clock.nowMs() - gapEndedAtMs).toBeLessThanOrEqual(50);
    expect(gateway.statusCalls - statusCallsAtDown).toBeGreaterThan(3);
    expect(result?.state).toBe('FILLED');
    expect(fills.map((fill) => fill.tradeId).sort()).toEqual(['t1', 't2']);
  });
});
