// Nobitex's output quirks, kept on purpose: Python-Decimal strings ("0E-10", "3.0000000000"), a few
// plain JSON numbers (matchedAmount 0, fee 0), display names for currencies, `BTC-RLS` markets,
// `price: "market"`, CamelCase execution and ISO dates with microseconds and +00:00.
import { Decimal, formatDecimal, roundHalfEvenToStep } from '../../core/decimal.js';
import { displayNameOf } from '../currency-names.js';
import { toOrderMarket } from '../markets.js';
import type { OrderExecution, SimFill, SimOrder } from './types.js';

/**
 * `add` answers with strings everywhere; `status` and `list` put bare 0 for zero matched/fee. OCO legs
 * show `pairId` in `add` and `status` only: the list's documented fields do not include it (reference 5.3).
 */
export type OrderView = 'add' | 'status' | 'list1' | 'list2';

/** `2026-01-01T00:00:00.000123+00:00`: sub-millisecond digits come from `micros` (0..999). */
export function isoMicros(ms: number, micros = 0): string {
  return new Date(ms).toISOString().replace('Z', `${String(micros % 1000).padStart(3, '0')}+00:00`);
}

/** Python Decimal with 10 places: zero prints as "0E-10", others as "1.5000000000". */
export function pyDecimal10(value: Decimal): string {
  return value.isZero() ? '0E-10' : value.toFixed(10);
}

const EXECUTION_NAMES: Readonly<Record<OrderExecution, string>> = {
  limit: 'Limit',
  market: 'Market',
  stop_limit: 'StopLimit',
  stop_market: 'StopMarket',
};

const zeroAsNumber = (value: Decimal, view: OrderView): string | number =>
  value.isZero() && view !== 'add' ? 0 : formatDecimal(value);

export function orderJson(order: SimOrder, view: OrderView, priceStep: Decimal): Record<string, unknown> {
  const unmatched = order.amount.minus(order.matchedAmount);
  const reference = order.price ?? order.worstPrice;
  const average = order.matchedAmount.isZero()
    ? new Decimal(0)
    : roundHalfEvenToStep(order.matchedTotal.div(order.matchedAmount), priceStep);
  const base: Record<string, unknown> = {
    type: order.type,
    execution: EXECUTION_NAMES[order.execution],
    tradeType: 'Spot',
    srcCurrency: displayNameOf(order.market.base),
    dstCurrency: displayNameOf(order.market.quote),
    price:
      order.execution === 'market' || order.execution === 'stop_market' ? 'market' : formatDecimal(reference),
    amount: formatDecimal(order.amount),
    totalPrice: order.matchedTotal.isZero() ? '0' : pyDecimal10(order.matchedTotal),
    totalOrderPrice: formatDecimal(order.amount.times(reference)),
    matchedAmount: zeroAsNumber(order.matchedAmount, view),
    unmatchedAmount: pyDecimal10(unmatched),
    clientOrderId: order.clientOrderId,
    param1: order.stopPrice === undefined ? null : formatDecimal(order.stopPrice),
    ...(order.pairId === undefined || view === 'list1' || view === 'list2' ? {} : { pairId: order.pairId }),
  };
  if (view === 'list1') return { ...base, isMyOrder: false };
  return {
    id: order.id,
    ...base,
    market: toOrderMarket(order.market),
    status: order.status,
    partial: order.matchedAmount.gt(0) && unmatched.gt(0),
    fee: zeroAsNumber(order.fee, view),
    created_at: isoMicros(order.createdAtMs, order.id),
    averagePrice: formatDecimal(average),
    ...(view === 'status' ? { isMyOrder: false } : {}),
  };
}

export function tradeJson(order: SimOrder, fill: SimFill): Record<string, unknown> {
  return {
    id: fill.id,
    orderId: order.id,
    srcCurrency: displayNameOf(order.market.base),
    dstCurrency: displayNameOf(order.market.quote),
    market: toOrderMarket(order.market),
    timestamp: isoMicros(fill.atMs, fill.id),
    type: order.type,
    price: formatDecimal(fill.price),
    amount: formatDecimal(fill.amount),
    total: formatDecimal(fill.total),
    fee: formatDecimal(fill.fee),
  };
}
