// What transaction verification needs from the exchange. The enhanced adapter implements it; tests may
// implement it over the simulator directly. Outcomes are classified here, once: the protocol depends on it.
import type { Decimal } from '../../core/decimal.js';
import type { Currency, Market } from '../markets.js';
import type { OrderExecution, OrderSide } from '../order-journal/order-intent.js';
import type { SendPermit } from './send-guard.js';

export type ExchangeOrderStatus = 'New' | 'Active' | 'Inactive' | 'Done' | 'Canceled';

export interface ExchangeOrder {
  readonly id: string;
  readonly clientOrderId: string | null;
  readonly status: ExchangeOrderStatus;
  readonly market: Market;
  readonly side: OrderSide;
  readonly amount: Decimal;
  readonly matchedAmount: Decimal;
  readonly averagePrice: Decimal;
  readonly fee: Decimal;
  readonly createdAtMs: number;
  /** OCO legs: the other leg's id; null or absent otherwise. */
  readonly pairId?: string | null;
}

export interface ExchangeTrade {
  readonly id: string;
  readonly orderId: string;
  readonly market: Market;
  readonly side: OrderSide;
  readonly amount: Decimal;
  readonly price: Decimal;
  /** Quote amount. */
  readonly total: Decimal;
  readonly fee: Decimal;
  readonly atMs: number;
}

/** One page of the user's trades, newest first; `hasNext` says an older page exists. */
export interface TradePage {
  readonly trades: readonly ExchangeTrade[];
  readonly hasNext: boolean;
}

export interface PlaceOrderRequest {
  readonly market: Market;
  readonly side: OrderSide;
  readonly execution: OrderExecution;
  readonly amount: Decimal;
  readonly price: Decimal | null;
  readonly clientOrderId: string;
  /** Stop orders: the trigger price; null or absent otherwise. */
  readonly stopPrice?: Decimal | null;
  /** An OCO: the stop leg's trigger and limit prices (the request's own price is the limit leg's). */
  readonly oco?: { readonly stopPrice: Decimal; readonly stopLimitPrice: Decimal };
  /**
   * Past Nobitex's 10-second duplicate guard (`pro: yes`). Only for a send after the guard refused this
   * order's first one: no request of this order can then be the identical order the guard saw.
   */
  readonly pastDuplicateGuard?: boolean;
}

/**
 * accepted: the exchange answered with the order. rejected: a business refusal, terminal.
 * notSent: provably never reached the exchange (breaker open, local rate limit, refused connection).
 * unknown: may or may not have been placed (timeout, 5xx, reset after sending): ask, never resend blindly.
 */
export type PlaceOutcome =
  | { readonly kind: 'accepted'; readonly order: ExchangeOrder; readonly raw: unknown }
  | { readonly kind: 'rejected'; readonly code: string; readonly message: string; readonly raw: unknown }
  | { readonly kind: 'notSent'; readonly reason: string; readonly retryAfterMs: number }
  | { readonly kind: 'unknown'; readonly reason: string };

export interface MarketRules {
  readonly isClosed: boolean;
  /** Last trade price, quote per base. */
  readonly lastPrice: Decimal;
  readonly amountStep: Decimal;
  readonly priceStep: Decimal;
  /** Minimum amount × price, in the quote currency. */
  readonly minOrderValue: Decimal;
}

export interface WalletBalance {
  readonly balance: Decimal;
  readonly blocked: Decimal;
}

export interface VerificationGateway {
  /** The permit's check runs right before each attempt leaves; its signal aborts the request. */
  placeOrder(request: PlaceOrderRequest, permit?: SendPermit): Promise<PlaceOutcome>;
  /** Null when the exchange says there is no such order. */
  getOrderById(id: string): Promise<ExchangeOrder | null>;
  /** Searches open orders only (Nobitex's rule); null when none has that clientOrderId. */
  getOpenOrderByClientOrderId(clientOrderId: string): Promise<ExchangeOrder | null>;
  /** Recent orders of every status, with ids (status=all&details=2). */
  listRecentOrders(market: Market): Promise<ExchangeOrder[]>;
  /** The user's recent trades in a market (last 3 days on Nobitex). */
  listTrades(market: Market): Promise<ExchangeTrade[]>;
  /** One page (from 1, 30 trades, newest first) of the user's trades in a market. */
  listTradesPage(market: Market, page: number): Promise<TradePage>;
  cancelOrder(id: string): Promise<ExchangeOrder | null>;
  getMarketRules(market: Market): Promise<MarketRules>;
  getWallets(): Promise<ReadonlyMap<Currency, WalletBalance>>;
}
