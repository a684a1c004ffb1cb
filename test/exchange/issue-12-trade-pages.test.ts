// Issue 12, failure mode 2: fills past the first page of /market/trades/list were lost. Nobitex lists
// the newest 30 trades a page; Keel read one page and, after tradesWaitMaxMs, declared the order
// FILLED with fills unbooked (40 fills, 30 booked). Goal: every page is read until the order's trades
// add up to its filled amount, and an order never ends while they do not (a person is told instead).
// Method: the real client, adapter and verifier over the simulator (in-process), fake clock; the
// simulator's splitTrades fault books one fill as many trades, and the account holder trades by hand.
import { afterEach, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/core/decimal.js';
import type { FillsIncompleteEvent } from '../../src/exchange/transaction-verification/transaction-verifier.js';
import { placeManualOrder } from '../support/sim-manual-order.js';
import { createSimVerifierHarness, type SimVerifierHarness } from '../support/sim-verifier-harness.js';

let harness: SimVerifierHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const sumOf = (amounts: readonly Decimal[]) => amounts.reduce((a, b) => a.plus(b), new Decimal(0));

describe('issue 12 mode 2: trades past the first page', () => {
  it('books all 40 trades of an order filled as 40 trades (one page holds 30)', async () => {
    harness = await createSimVerifierHarness();
    const { simulator } = harness;
    // Step 1: the exchange will book each fill of the next order as 40 trades.
    simulator.chaos.add({ kind: 'splitTrades', path: '/market/orders/add', pieces: 40, countMax: 1 });
    // Step 2: Keel sends a market buy; it fills at once, in 40 trades.
    const result = await harness.runToEnd(await harness.prepare({ signalId: 'forty', amount: '0.004' }));
    const trades = simulator.trades().filter((t) => t.orderId === Number(result.exchangeOrderId));
    expect(trades).toHaveLength(40);
    // Step 3: the order ends FILLED with every trade booked once.
    expect(result.state).toBe('FILLED');
    expect(new Set(harness.fills.map((f) => f.tradeId)).size).toBe(40);
    expect(await harness.journal.fills(result.id)).toHaveLength(40);
    expect(sumOf((await harness.journal.fills(result.id)).map((f) => f.amount)).eq(result.filledAmount)).toBe(
      true,
    );
  });

  it("finds an order's trades that the account holder's later trades pushed to older pages", async () => {
    harness = await createSimVerifierHarness();
    const { simulator } = harness;
    // Step 1: a resting limit buy just below the market: it stays open until the market walks down.
    const limit = new Decimal(simulator.lastPrice('USDTIRT')).times('0.999').dividedToIntegerBy(10).times(10);
    const intent = await harness.prepare({
      signalId: 'rest',
      symbol: { base: 'usdt', quote: 'rls' },
      execution: 'limit',
      amount: '20',
      price: limit.toFixed(),
    });
    simulator.chaos.add({ kind: 'splitTrades', path: '/market/orders/add', pieces: 5, countMax: 1 });
    let manualDone = false;
    const result = await harness.runToEnd(intent, {
      during: () => {
        if (manualDone) return;
        const order = simulator.groundTruthOrders().find((o) => o.clientOrderId === intent.clientOrderId);
        if (order === undefined) return;
        if (order.status === 'Active') {
          simulator.tick(1); // the market walks; the order fills when it reaches the limit
          return;
        }
        manualDone = true;
        // Step 2: before Keel looks again, the account holder trades 40 times by hand in that market.
        for (let i = 0; i < 40; i++)
          void placeManualOrder(simulator, {
            type: i % 2 === 0 ? 'buy' : 'sell',
            srcCurrency: 'usdt',
            dstCurrency: 'rls',
            amount: '5',
            pro: true,
          });
      },
    });
    // Step 3: Keel's trades are now on page 2 or 3; it reads them and ends with every fill booked.
    expect(manualDone).toBe(true);
    const own = simulator.trades().filter((t) => t.orderId === Number(result.exchangeOrderId));
    expect(result.state).toBe('FILLED');
    expect(new Set(harness.fills.map((f) => f.tradeId))).toEqual(new Set(own.map((t) => String(t.id))));
  });

  it('keeps an order open and alerts, naming the missing amount, while its trades do not add up', async () => {
    // One page only, as the old code read: the 40-trade fill cannot be accounted for.
    harness = await createSimVerifierHarness({ verification: { tradePagesMax: 1, tradesWaitMaxMs: 30_000 } });
    const { simulator, verifier } = harness;
    const alerts: FillsIncompleteEvent[] = [];
    verifier.onFillsIncomplete((event) => alerts.push(event));
    simulator.chaos.add({ kind: 'splitTrades', path: '/market/orders/add', pieces: 40, countMax: 1 });
    const intent = await harness.prepare({ signalId: 'missing', amount: '0.004' });
    const result = await harness.runToEnd(intent, { limitMs: 120_000 });
    expect(result.state).toBe('PARTIALLY_FILLED');
    const bookedFills = await harness.journal.fills(intent.id);
    expect(bookedFills).toHaveLength(30);
    const booked = sumOf(bookedFills.map((f) => f.amount));
    const alert = alerts.at(-1);
    expect(alert?.intent.id).toBe(intent.id);
    expect(alert?.missing.eq(result.filledAmount.minus(booked))).toBe(true);
    expect(alert?.waitedMs).toBeGreaterThanOrEqual(30_000);
  });
});
