// Collects the trades of one exchange order from /market/trades/list, page by page. Nobitex answers
// the newest 30 trades a page; an order with more trades than a page, or whose trades were pushed back
// by later ones (other orders, the account holder's own trading), needs the older pages too.
import { Decimal } from '../../core/decimal.js';
import type { OrderFill, OrderIntent } from '../order-journal/order-intent.js';
import type { ExchangeOrder, ExchangeTrade, VerificationGateway } from './gateway.js';
import { feeCurrencyOf } from './observe-order.js';

export interface OrderTrades {
  /** The order's trades found, oldest first, each once. */
  readonly trades: readonly ExchangeTrade[];
  /** True when the trades add up to the order's matched amount. */
  readonly complete: boolean;
  /** Matched amount the trades found do not account for (zero when complete). */
  readonly missing: Decimal;
  readonly pagesRead: number;
}

/**
 * Reads pages until the order's trades add up to its matched amount, the list ends (`hasNext` false),
 * a page holds only trades older than the order (none further back can be its own), or `pagesMax`.
 */
export async function collectOrderTrades(
  gateway: Pick<VerificationGateway, 'listTradesPage'>,
  order: ExchangeOrder,
  options: { readonly pagesMax: number },
): Promise<OrderTrades> {
  const found = new Map<string, ExchangeTrade>();
  let pagesRead = 0;
  if (order.matchedAmount.lte(0)) return { trades: [], complete: true, missing: new Decimal(0), pagesRead };
  for (let page = 1; page <= options.pagesMax; page++) {
    const answer = await gateway.listTradesPage(order.market, page);
    pagesRead++;
    for (const trade of answer.trades) if (trade.orderId === order.id) found.set(trade.id, trade);
    if (sumAmounts(found.values()).gte(order.matchedAmount)) break;
    if (!answer.hasNext || olderThanOrder(answer.trades, order)) break;
  }
  const trades = [...found.values()].sort((a, b) => a.atMs - b.atMs || a.id.localeCompare(b.id));
  const missing = Decimal.max(order.matchedAmount.minus(sumAmounts(trades)), 0);
  return { trades, complete: missing.isZero(), missing, pagesRead };
}

/** The journal's and the ledger's record of one exchange trade of this order. */
export function fillOf(intent: OrderIntent, trade: ExchangeTrade): OrderFill {
  return {
    tradeId: trade.id,
    orderId: intent.id,
    amount: trade.amount,
    price: trade.price,
    total: trade.total,
    fee: trade.fee,
    feeCurrency: feeCurrencyOf(intent),
    atMs: trade.atMs,
  };
}

function sumAmounts(trades: Iterable<ExchangeTrade>): Decimal {
  let sum = new Decimal(0);
  for (const trade of trades) sum = sum.plus(trade.amount);
  return sum;
}

/** A non-empty page, newest first, whose newest trade is already older than the order itself. */
function olderThanOrder(trades: readonly ExchangeTrade[], order: ExchangeOrder): boolean {
  const newest = trades[0];
  const oldest = trades[trades.length - 1];
  if (newest === undefined || oldest === undefined || newest.atMs < oldest.atMs) return false;
  return newest.atMs < order.createdAtMs;
}
