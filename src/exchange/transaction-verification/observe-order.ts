// Maps what the exchange says about an order onto the journal's states. Pure: no I/O.
import type { OrderIntent } from '../order-journal/order-intent.js';
import type { OrderState } from '../order-journal/order-state.js';
import type { ExchangeOrder, ExchangeTrade } from './gateway.js';

/** The journal state that an exchange order status means. Partial fills keep status Active on Nobitex. */
export function stateForOrder(order: ExchangeOrder): OrderState {
  switch (order.status) {
    case 'Done':
      return 'FILLED';
    case 'Canceled':
      return 'CANCELLED';
    default:
      return order.matchedAmount.gt(0) ? 'PARTIALLY_FILLED' : 'ACCEPTED';
  }
}

/** The received currency pays the fee: a buy pays in base, a sell in quote. */
export const feeCurrencyOf = (intent: OrderIntent): string =>
  intent.side === 'buy' ? intent.market.base : intent.market.quote;

/**
 * A trade the journal cannot place, on our side and amount, after our send: the order may exist even
 * though no list shows it yet. Its presence forbids a resend.
 */
export function hasSuspiciousTrade(
  intent: OrderIntent,
  trades: readonly ExchangeTrade[],
  knownOrderIds: ReadonlySet<string>,
  sentAtMs: number,
): boolean {
  return trades.some(
    (trade) =>
      !knownOrderIds.has(trade.orderId) &&
      trade.side === intent.side &&
      trade.atMs >= sentAtMs - 60_000 &&
      trade.amount.lte(intent.amount),
  );
}
