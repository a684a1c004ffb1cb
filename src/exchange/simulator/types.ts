// Shared shapes of the simulator: market settings, accounts, orders and fills, all in exact decimals.
import type { Decimal } from '../../core/decimal.js';
import type { Currency, Market, QuoteCurrency } from '../markets.js';

export interface SimMarketConfig {
  /** `BTCIRT` style symbol. */
  readonly symbol: string;
  readonly base: Currency;
  readonly quote: QuoteCurrency;
  /** Start price, in rial for IRT markets. */
  readonly startPrice: string;
  /** Amount precision step (amounts are floored to it). */
  readonly amountStep: string;
  /** Price precision step (prices are banker's-rounded to it). */
  readonly priceStep: string;
  /** Per-level book amount range, base units. Thin levels make large orders fill partially. */
  readonly levelAmountMin: string;
  readonly levelAmountMax: string;
  /** Minutes of candle history made up at start; default CANDLES_BACKFILL (a day). */
  readonly historyMinutes?: number;
  /** Minimum order value (amount × price) in the quote currency; default MIN_ORDER_VALUE of the quote. */
  readonly minOrderValue?: string;
}

export interface SimAccountConfig {
  /** 40 lowercase hex characters. */
  readonly token: string;
  readonly apiKey?: { readonly publicKeyBase64: string };
  readonly balances?: Readonly<Partial<Record<Currency, string>>>;
}

export type OrderType = 'buy' | 'sell';
export type OrderExecution = 'limit' | 'market' | 'stop_limit' | 'stop_market';
/** `Inactive`: a stop order (or an OCO's stop leg) whose stop price has not been reached yet. */
export type OrderStatus = 'Active' | 'Inactive' | 'Done' | 'Canceled';

/** Open orders (Nobitex's `open` list, clientOrderId lookups, cancellable): on the book or waiting for their stop. */
export const isOpenStatus = (status: OrderStatus): boolean => status === 'Active' || status === 'Inactive';

export interface SimFill {
  readonly id: number;
  readonly orderId: number;
  readonly price: Decimal;
  readonly amount: Decimal;
  readonly total: Decimal;
  /** In the received currency: base for a buy, quote for a sell. */
  readonly fee: Decimal;
  readonly atMs: number;
}

export interface SimOrder {
  readonly id: number;
  readonly token: string;
  readonly market: Market;
  readonly symbol: string;
  readonly type: OrderType;
  readonly execution: OrderExecution;
  /** Undefined for a market order given without a price. */
  readonly price: Decimal | undefined;
  readonly amount: Decimal;
  /** The worst price a fill may have: the limit price, or the 1% band bound of a market order
   * (a stop-market order's band is set again around the market price when it triggers). */
  worstPrice: Decimal;
  /** Stop orders and an OCO's stop leg: the trigger price, shown as `param1`. */
  readonly stopPrice?: Decimal;
  /** OCO legs: the other leg's id (Nobitex's `pairId`). */
  pairId?: number;
  readonly clientOrderId: string | null;
  readonly createdAtMs: number;
  status: OrderStatus;
  matchedAmount: Decimal;
  matchedTotal: Decimal;
  fee: Decimal;
  /** Funds still blocked for this order, in the currency it spends. */
  blockedRemaining: Decimal;
  readonly fills: SimFill[];
  /** Trades each fill is booked as (chaos splitTrades); 1 or absent: one trade per fill. Not persisted. */
  readonly tradePieces?: number;
}

/** Snapshot given to tests: every order ever accepted. */
export interface GroundTruthOrder {
  readonly id: number;
  readonly token: string;
  readonly symbol: string;
  readonly type: OrderType;
  readonly execution: OrderExecution;
  readonly clientOrderId: string | null;
  readonly status: OrderStatus;
  readonly price: string | null;
  readonly stopPrice: string | null;
  readonly pairId: number | null;
  readonly amount: string;
  readonly matchedAmount: string;
  readonly fee: string;
  readonly createdAtMs: number;
  readonly fills: readonly { id: number; price: string; amount: string; fee: string; atMs: number }[];
}

export interface SimTrade {
  readonly id: number;
  readonly orderId: number;
  readonly token: string;
  readonly symbol: string;
  readonly type: OrderType;
  readonly price: string;
  readonly amount: string;
  readonly total: string;
  readonly fee: string;
  readonly atMs: number;
}

/** One side's level of a live order book: price and amount, exact. */
export interface LiveLevel {
  readonly price: Decimal;
  readonly amount: Decimal;
}

/**
 * Live market data for paper trading on live prices: the simulator matches against these books and
 * prices instead of its own walk. Reads only public endpoints; each call is bounded by its adapter.
 */
export interface MarketFeed {
  /** The market's live book, asks ascending and bids descending, and its last trade price. */
  orderBook(market: Market): Promise<{
    readonly asks: readonly LiveLevel[];
    readonly bids: readonly LiveLevel[];
    readonly lastPrice: Decimal | null;
  }>;
  /** Latest price and closed flag per `BTCIRT` symbol, for every market. */
  prices(): Promise<ReadonlyMap<string, { readonly lastPrice: Decimal; readonly isClosed: boolean }>>;
}
