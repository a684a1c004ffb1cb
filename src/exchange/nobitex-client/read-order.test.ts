// Goal: the hand-written order reader gives exactly orderSchema's result on every valid order, and
// declines (undefined, so the schema names the field) wherever the schema refuses.
import { LosslessNumber } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { readOrder } from './read-order.js';
import { orderSchema } from './schemas.js';

const base: Record<string, unknown> = {
  id: 100001,
  type: 'buy',
  execution: 'Limit',
  tradeType: 'Spot',
  srcCurrency: 'Bitcoin',
  dstCurrency: '﷼',
  price: '95000000000',
  amount: '0.001',
  matchedAmount: 0,
  unmatchedAmount: '0.0010000000',
  clientOrderId: null,
  market: 'BTC-RLS',
  status: 'Active',
  partial: false,
  fee: 0,
  created_at: '2026-12-04T21:33:05.777001+00:00',
  averagePrice: '0',
};

const valid: [string, Record<string, unknown>][] = [
  ['the simulator answer', base],
  ['no market: from the currencies', { ...base, market: undefined }],
  ['no currencies', { ...base, srcCurrency: undefined, dstCurrency: undefined }],
  ['market price, sell, stop', { ...base, price: 'market', type: 'sell', execution: 'StopMarket' }],
  ['no unmatchedAmount', { ...base, unmatchedAmount: undefined, matchedAmount: '0.0004' }],
  ['null unmatchedAmount', { ...base, unmatchedAmount: null }],
  ['lossless and exponent decimals', { ...base, fee: new LosslessNumber('0.25'), averagePrice: '0E-10' }],
  ['clientOrderId, no partial', { ...base, clientOrderId: 'keel-1', partial: undefined }],
  ['USDT market', { ...base, market: 'ETH-USDT', srcCurrency: 'eth', dstCurrency: 'usdt' }],
  ['a stop order', { ...base, execution: 'StopLimit', status: 'Inactive', param1: '94000000000' }],
  ['an OCO leg', { ...base, pairId: 100002, param1: null }],
];

/** Odd inputs: most are refused; whatever the schema decides, the reader must decide the same. */
const odd: [string, unknown][] = [
  ['not an object', 'order'],
  ['an array', [base]],
  ['negative id', { ...base, id: -1 }],
  ['fractional id', { ...base, id: 1.5 }],
  ['unknown side', { ...base, type: 'hold' }],
  ['unknown execution', { ...base, execution: 'Iceberg' }],
  ['unknown status', { ...base, status: 'Open' }],
  ['float amount', { ...base, amount: 0.1 }],
  ['float fee', { ...base, fee: 1e-7 }],
  ['missing fee', { ...base, fee: undefined }],
  ['bad time', { ...base, created_at: 'yesterday' }],
  ['partial as text', { ...base, partial: 'no' }],
  ['long clientOrderId', { ...base, clientOrderId: 'x'.repeat(65) }],
  ['unknown currency with a market', { ...base, srcCurrency: 'Dogecoin' }],
  ['currency code in capitals', { ...base, srcCurrency: 'BTC' }],
  ['empty clientOrderId', { ...base, clientOrderId: '' }],
  ['null currency', { ...base, srcCurrency: null }],
  ['unknown market', { ...base, market: 'FOO-BAR' }],
  ['pairId as text', { ...base, pairId: '100002' }],
  ['fractional pairId', { ...base, pairId: 1.5 }],
  ['float stop price', { ...base, param1: 0.5 }],
  ['no market and no currencies', { ...base, market: undefined, srcCurrency: undefined }],
];

describe('readOrder', () => {
  it.each(valid)('reads %s as orderSchema does', (_name, raw) => {
    const expected = orderSchema.parse(raw);
    expect(readOrder(raw)).toEqual(expected);
  });

  it.each(odd)('decides %s as orderSchema does (undefined where it refuses)', (_name, raw) => {
    const result = orderSchema.safeParse(raw);
    expect(readOrder(raw)).toEqual(result.success ? result.data : undefined);
  });

  it('finds refusals among the odd inputs (the table tests both sides)', () => {
    const refused = odd.filter(([, raw]) => !orderSchema.safeParse(raw).success);
    expect(refused.length).toBeGreaterThan(10);
  });
});
