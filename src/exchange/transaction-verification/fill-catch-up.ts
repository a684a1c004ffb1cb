// Catches the ledger up with the exchange for every live order, before a reconciliation compares
// balances: a resting order that filled between two polls has trades the ledger has not posted yet,
// and that difference is a fill in flight, not a breach. Posts only what the verifier would post
// (each trade once, by trade id; the block of an open limit order) and never moves an order's state:
// the verifier stays the one driver of each order. What it cannot account for is reported in flight.
import { formatDecimal } from '../../core/decimal.js';
import type { Logger } from '../../logging/logger.js';
import type { Currency, Market } from '../markets.js';
import type { OrderIntent } from '../order-journal/order-intent.js';
import type { OrderJournal } from '../order-journal/order-journal.js';
import type { ExchangeOrder, VerificationGateway } from './gateway.js';
import { collectOrderTrades, fillOf } from './order-trades.js';
import type { OrderLedgerSink } from './transaction-verifier.js';

/** A live order whose effect on the exchange balances the ledger cannot show yet, and why. */
export interface InFlightOrder {
  readonly orderId: string;
  readonly market: Market;
  readonly reason: string;
}

export interface CatchUpResult {
  /** Live orders looked at (PREPARED ones were never sent and are not counted). */
  readonly orderCount: number;
  readonly inFlight: readonly InFlightOrder[];
}

export interface FillCatchUpOptions {
  readonly journal: Pick<OrderJournal, 'listNonTerminal' | 'recordFill' | 'knownExchangeOrderIds'>;
  readonly gateway: Pick<
    VerificationGateway,
    'getOrderById' | 'getOpenOrderByClientOrderId' | 'listRecentOrders' | 'listTradesPage'
  >;
  readonly ledger: Pick<OrderLedgerSink, 'onOpen' | 'onFill'>;
  /** True while the ledger still blocks funds for this order (the verifier has not finished it). */
  readonly stillBlocked: (intent: OrderIntent) => boolean;
  /** Pages of the trade list read per order. */
  readonly tradePagesMax: number;
  readonly logger: Logger;
}

export class FillCatchUp {
  constructor(private readonly o: FillCatchUpOptions) {}

  /** Posts every exchange trade of every live order; returns the orders still in flight. */
  async run(): Promise<CatchUpResult> {
    const inFlight: InFlightOrder[] = [];
    let orderCount = 0;
    for (const intent of await this.o.journal.listNonTerminal()) {
      if (intent.state === 'PREPARED') continue;
      orderCount++;
      const reason = await this.#catchUp(intent);
      if (reason !== undefined) inFlight.push({ orderId: intent.id, market: intent.market, reason });
    }
    if (inFlight.length > 0)
      this.o.logger.info({ inFlight, orderCount }, 'reconciliation catch-up: orders still in flight');
    return { orderCount, inFlight };
  }

  /** Undefined when the ledger now shows all of this order's effect; else why it cannot yet. */
  async #catchUp(intent: OrderIntent): Promise<string | undefined> {
    const order = await this.#find(intent);
    if (order === null) return `${intent.state}: not found on the exchange yet`;
    const collected = await collectOrderTrades(this.o.gateway, order, { pagesMax: this.o.tradePagesMax });
    for (const trade of collected.trades) {
      const fill = fillOf(intent, trade);
      await this.o.ledger.onFill(intent, fill);
      await this.o.journal.recordFill(fill);
    }
    if (!collected.complete)
      return `trades do not yet add up: ${formatDecimal(collected.missing)} ${intent.market.base} missing`;
    const open = order.status === 'Active' || order.status === 'New' || order.status === 'Inactive';
    if (open) {
      await this.o.ledger.onOpen({ ...intent, filledAmount: order.matchedAmount });
      return this.#stopLegMissing(intent, order);
    }
    if (this.o.stillBlocked(intent)) return `${order.status} on the exchange, its block not yet released`;
    return undefined;
  }

  /**
   * An open OCO whose stop leg the journal does not know yet: the exchange blocks the coins from the
   * pair's placing, but the ledger keeps that block on the stop leg (see LedgerOrderSink), which is
   * blocked only once the protection manager has journaled it.
   */
  async #stopLegMissing(intent: OrderIntent, order: ExchangeOrder): Promise<string | undefined> {
    const pairId = order.pairId;
    if (intent.role !== 'oco' || pairId === undefined || pairId === null) return undefined;
    if ((await this.o.journal.knownExchangeOrderIds([pairId])).has(pairId)) return undefined;
    return `OCO open on the exchange, its stop leg ${pairId} not journaled yet (its block not in the ledger)`;
  }

  /** By id, then by clientOrderId among open orders, then in the recent order list. */
  async #find(intent: OrderIntent): Promise<ExchangeOrder | null> {
    if (intent.exchangeOrderId !== null) {
      const byId = await this.o.gateway.getOrderById(intent.exchangeOrderId);
      if (byId !== null) return byId;
    }
    const open = await this.o.gateway.getOpenOrderByClientOrderId(intent.clientOrderId);
    if (open !== null) return open;
    const recent = await this.o.gateway.listRecentOrders(intent.market);
    return recent.find((candidate) => candidate.clientOrderId === intent.clientOrderId) ?? null;
  }
}

/** The currencies an order in flight may move: its market's base and quote. */
export function inFlightCurrencies(inFlight: readonly InFlightOrder[]): Set<Currency> {
  return new Set(inFlight.flatMap((order) => [order.market.base, order.market.quote]));
}
