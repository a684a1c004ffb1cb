// Goal (issue 18): slippage is measured against the quote at decision time, so a market order without a
// price bound gives a sample too; worse than the quote is positive on both sides. Orders journaled
// before the quote was recorded fall back to their limit price. One sample per finished order, from
// the average price of its fills: an order's many trades are one execution (chaos seeds 2525 and 2747
// had one order's twenty partial fills make a whole warm-up, or flag seven times).
// Method: the sink over a no-op ledger sink and a detector stand-in that records observations.
import { describe, expect, it } from 'vitest';
import { Decimal } from '../core/decimal.js';
import type { OrderFill, OrderIntent, OrderSide } from '../exchange/order-journal/order-intent.js';
import type { OrderLedgerSink } from '../exchange/transaction-verification/transaction-verifier.js';
import { silentLogger } from '../logging/logger.js';
import type { AnomalyDetector, Observation } from '../monitoring/anomaly/anomaly-detector.js';
import { AnomalyOrderSink } from './anomaly-order-sink.js';

const ledger: OrderLedgerSink = {
  onOpen: async () => {},
  onFill: async () => {},
  onFinished: async () => {},
};

function sinkRecording(): { sink: AnomalyOrderSink; slippage: () => Observation[] } {
  const observed: Observation[] = [];
  const detector = {
    feeTierRate: undefined,
    observe: async (observation: Observation) => {
      observed.push(observation);
      return undefined;
    },
  } as unknown as AnomalyDetector;
  return {
    sink: new AnomalyOrderSink(ledger, detector, silentLogger),
    slippage: () => observed.filter((observation) => observation.kind === 'slippage'),
  };
}

function intent(
  side: OrderSide,
  price: string | null,
  decisionPrice: string | null,
  id = `ord-${side}`,
  averagePrice: string | null = null,
): OrderIntent {
  return {
    id,
    signalId: id.slice(4),
    clientOrderId: `k${id}`,
    market: { base: 'btc', quote: 'rls' },
    side,
    execution: price === null ? 'market' : 'limit',
    amount: new Decimal('0.01'),
    price: price === null ? null : new Decimal(price),
    state: averagePrice === null ? 'ACCEPTED' : 'FILLED',
    exchangeOrderId: '1',
    filledAmount: new Decimal(averagePrice === null ? 0 : '0.01'),
    averagePrice: averagePrice === null ? null : new Decimal(averagePrice),
    fee: new Decimal(0),
    submitCount: 1,
    rejectCode: null,
    lastError: null,
    createdAtMs: 0,
    updatedAtMs: 0,
    lifetimeMs: null,
    decisionPrice: decisionPrice === null ? null : new Decimal(decisionPrice),
    role: 'entry',
    parentOrderId: null,
    stopPrice: null,
    stopLimitPrice: null,
    protection: null,
  };
}

function fill(orderId: string, price: string, tradeId = `t-${orderId}`): OrderFill {
  const amount = new Decimal('0.01');
  return {
    tradeId,
    orderId,
    amount,
    price: new Decimal(price),
    total: amount.times(price),
    fee: new Decimal(0),
    feeCurrency: 'btc',
    atMs: 0,
  };
}

describe('AnomalyOrderSink slippage', () => {
  /** The order filled at `average` and finished. */
  const filled = (
    side: OrderSide,
    price: string | null,
    quote: string | null,
    average: string,
    id?: string,
  ) => intent(side, price, quote, id ?? `ord-${side}`, average);

  it('gives a finished market buy without a price bound a sample against the decision quote: paying above is positive', async () => {
    const { sink, slippage } = sinkRecording();
    await sink.onFinished(filled('buy', null, '7000000000', '7007000000'));
    expect(slippage()).toEqual([
      expect.objectContaining({
        kind: 'slippage',
        currency: 'btc',
        value: 10,
        context: expect.objectContaining({
          reference: 'quote',
          referencePrice: '7000000000',
          averagePrice: '7007000000',
        }),
      }),
    ]);
  });

  it('counts a market sell received below the quote as positive, above it as negative', async () => {
    const { sink, slippage } = sinkRecording();
    await sink.onFinished(filled('sell', null, '7000000000', '6993000000', 'ord-sell-1'));
    await sink.onFinished(filled('sell', null, '7000000000', '7014000000', 'ord-sell-2'));
    expect(slippage().map((observation) => observation.value)).toEqual([10, -20]);
  });

  it('counts a buy filled below the quote as negative', async () => {
    const { sink, slippage } = sinkRecording();
    await sink.onFinished(filled('buy', null, '7000000000', '6986000000'));
    expect(slippage().map((observation) => observation.value)).toEqual([-20]);
  });

  it('prefers the decision quote over the limit price', async () => {
    const { sink, slippage } = sinkRecording();
    await sink.onFinished(filled('buy', '7070000000', '7000000000', '7035000000'));
    expect(slippage()).toEqual([
      expect.objectContaining({ value: 50, context: expect.objectContaining({ reference: 'quote' }) }),
    ]);
  });

  it('falls back to the limit price for an order journaled before the quote was recorded', async () => {
    const { sink, slippage } = sinkRecording();
    await sink.onFinished(filled('sell', '7000000000', null, '7014000000'));
    expect(slippage()).toEqual([
      expect.objectContaining({ value: -20, context: expect.objectContaining({ reference: 'limit' }) }),
    ]);
  });

  it('gives one sample per order however many trades filled it, none before it finishes', async () => {
    const { sink, slippage } = sinkRecording();
    const order = intent('buy', null, '7000000000');
    for (let trade = 0; trade < 20; trade++)
      await sink.onFill(order, fill(order.id, '7007000000', `t-${trade}`));
    expect(slippage()).toEqual([]);
    const done = filled('buy', null, '7000000000', '7007000000');
    await sink.onFinished(done);
    await sink.onFinished(done); // replayed after a restart of the look: observed once
    expect(slippage()).toHaveLength(1);
  });

  it('gives no sample for an unbounded market order without a quote, nor for one that filled nothing', async () => {
    const { sink, slippage } = sinkRecording();
    await sink.onFinished(filled('buy', null, null, '7000000000', 'ord-unknown'));
    await sink.onFinished({ ...intent('buy', null, '7000000000', 'ord-empty'), state: 'CANCELLED' });
    expect(slippage()).toEqual([]);
  });
});
