// The payloads of Nobitex's private WebSocket channels (reference 8): currency codes, not display
// names; decimal strings; `side` and `orderType` capitalised. One per trade, one per order change.
import { Decimal, formatDecimal, roundHalfEvenToStep } from '../../../core/decimal.js';
import { isoMicros } from '../serialize.js';
import type { SimFill, SimOrder } from '../types.js';

/** `private:trades#…`: the trade as /market/trades/list shows it, with currency codes. */
export function pushTradeJson(order: SimOrder, fill: SimFill): Record<string, unknown> {
  return {
    id: fill.id,
    orderId: order.id,
    srcCurrency: order.market.base,
    dstCurrency: order.market.quote,
    timestamp: isoMicros(fill.atMs, fill.id),
    price: formatDecimal(fill.price),
    amount: formatDecimal(fill.amount),
    total: formatDecimal(fill.total),
    type: order.type,
    fee: formatDecimal(fill.fee),
  };
}

/** `private:orders#…`: the order's state after a change, with the trade that caused it, if any. */
export function pushOrderJson(
  order: SimOrder,
  fill: SimFill | undefined,
  options: { readonly priceStep: Decimal; readonly nowMs: number },
): Record<string, unknown> {
  const average = order.matchedAmount.isZero()
    ? new Decimal(0)
    : roundHalfEvenToStep(order.matchedTotal.div(order.matchedAmount), options.priceStep);
  return {
    amount: formatDecimal(order.amount),
    avgFilledPrice: formatDecimal(average),
    clientOrderId: order.clientOrderId,
    dstCurrency: order.market.quote,
    eventTime: isoMicros(options.nowMs),
    fee: formatDecimal(order.fee),
    filledAmount: formatDecimal(order.matchedAmount),
    lastFillTime: fill === undefined ? null : isoMicros(fill.atMs, fill.id),
    marketType: 'Spot',
    orderId: order.id,
    orderType: order.execution === 'limit' ? 'Limit' : 'Market',
    param1: null,
    price: order.price === undefined ? 'market' : formatDecimal(order.price),
    side: order.type === 'buy' ? 'Buy' : 'Sell',
    srcCurrency: order.market.base,
    status: order.status,
    tradeAmount: fill === undefined ? null : formatDecimal(fill.amount),
    tradeId: fill?.id ?? null,
    tradePrice: fill === undefined ? null : formatDecimal(fill.price),
  };
}
