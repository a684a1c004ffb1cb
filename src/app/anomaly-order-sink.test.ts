// Goal (issue 18): fill slippage is measured against the quote at decision time, so a market order
// without a price bound gives a sample too; worse than the quote is positive on both sides. Orders
// journaled before the quote was recorded fall back to their limit price.
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
    state: 'ACCEPTED',
    exchangeOrderId: '1',
    filledAmount: new Decimal(0),
    averagePrice: null,
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
  it('gives a market buy without a price bound a sample against the decision quote: paying above is positive', async () => {
    const { sink, slippage } = sinkRecording();
    const order = intent('buy', null, '7000000000');
    await sink.onFill(order, fill(order.id, '7007000000'));
    expect(slippage()).toEqual([
      expect.objectContaining({
        kind: 'slippage',
        currency: 'btc',
        value: 10,
        context: expect.objectContaining({ reference: 'quote', referencePrice: '7000000000' }),
      }),
    ]);
  });

  it('counts a market sell received below the quote as positive, above it as negative', async () => {
    const { sink, slippage } = sinkRecording();
    const below = intent('sell', null, '7000000000', 'ord-sell-1');
    const above = intent('sell', null, '7000000000', 'ord-sell-2');
    await sink.onFill(below, fill(below.id, '6993000000'));
    await sink.onFill(above, fill(above.id, '7014000000'));
    expect(slippage().map((observation) => observation.value)).toEqual([10, -20]);
  });

  it('counts a buy filled below the quote as negative', async () => {
    const { sink, slippage } = sinkRecording();
    const order = intent('buy', null, '7000000000');
    await sink.onFill(order, fill(order.id, '6986000000'));
    expect(slippage().map((observation) => observation.value)).toEqual([-20]);
  });

  it('prefers the decision quote over the limit price', async () => {
    const { sink, slippage } = sinkRecording();
    const order = intent('buy', '7070000000', '7000000000');
    await sink.onFill(order, fill(order.id, '7035000000'));
    expect(slippage()).toEqual([
      expect.objectContaining({ value: 50, context: expect.objectContaining({ reference: 'quote' }) }),
    ]);
  });

  it('falls back to the limit price for an order journaled before the quote was recorded', async () => {
    const { sink, slippage } = sinkRecording();
    const order = intent('sell', '7000000000', null);
    await sink.onFill(order, fill(order.id, '7014000000'));
    expect(slippage()).toEqual([
      expect.objectContaining({ value: -20, context: expect.objectContaining({ reference: 'limit' }) }),
    ]);
  });

  it('gives no sample for an unbounded market order without a quote, and one per trade id', async () => {
    const { sink, slippage } = sinkRecording();
    const unknown = intent('buy', null, null, 'ord-unknown');
    await sink.onFill(unknown, fill(unknown.id, '7000000000'));
    expect(slippage()).toEqual([]);
    const order = intent('buy', null, '7000000000');
    await sink.onFill(order, fill(order.id, '7007000000', 't-1'));
    await sink.onFill(order, fill(order.id, '7007000000', 't-1'));
    expect(slippage()).toHaveLength(1);
  });
});
