// Maps what the exchange says about an order onto the journal's states. Pure: no I/O.
import { Decimal } from '../../core/decimal.js';
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

/** What the exchange and the journal say about other orders, for hasSuspiciousTrade. */
export interface SuspicionContext {
  /** Exchange ids of orders the journal knows. */
  readonly knownOrderIds: ReadonlySet<string>;
  /** Exchange ids the order list showed with another clientOrderId: not this order. */
  readonly otherOrderIds: ReadonlySet<string>;
  /** When this order was last sent, epoch ms. */
  readonly sentAtMs: number;
  /** Trades later than sentAtMs + windowMs cannot be a late placement of this send, ms. */
  readonly windowMs: number;
}

/** Clocks of the exchange and of Keel may differ by this much, ms. */
const CLOCK_SKEW_MS = 60_000;

/**
 * A trade that could be this order although no lookup shows it: on no order the journal or the order
 * list accounts for, same market and side, within the time window of our send, at a price our order
 * would accept, and its order's trades no larger than our amount. Its presence forbids a resend; any
 * other trade (a manual trade, another order) does not.
 */
export function hasSuspiciousTrade(
  intent: OrderIntent,
  trades: readonly ExchangeTrade[],
  context: SuspicionContext,
): boolean {
  const candidates = trades.filter(
    (trade) =>
      !context.knownOrderIds.has(trade.orderId) &&
      !context.otherOrderIds.has(trade.orderId) &&
      trade.market.base === intent.market.base &&
      trade.market.quote === intent.market.quote &&
      trade.side === intent.side &&
      trade.atMs >= context.sentAtMs - CLOCK_SKEW_MS &&
      trade.atMs <= context.sentAtMs + context.windowMs + CLOCK_SKEW_MS &&
      priceAcceptable(intent, trade.price),
  );
  const perOrder = new Map<string, Decimal>();
  for (const trade of candidates)
    perOrder.set(trade.orderId, (perOrder.get(trade.orderId) ?? new Decimal(0)).plus(trade.amount));
  return [...perOrder.values()].some((amount) => amount.lte(intent.amount));
}

/** A buy fills at or below its limit, a sell at or above; an unbounded market order at any price. */
function priceAcceptable(intent: OrderIntent, price: Decimal): boolean {
  if (intent.price === null) return true;
  return intent.side === 'buy' ? price.lte(intent.price) : price.gte(intent.price);
}
