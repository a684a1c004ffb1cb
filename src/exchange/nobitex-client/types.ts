// Domain results of the Nobitex client: Decimals for money, Market objects, epoch ms for time.
import type { Decimal } from '../../core/decimal.js';
import type { Market } from '../markets.js';

export type OrderSide = 'buy' | 'sell';
/** Response `execution` (`Limit`, `StopMarket`, …) in camelCase. */
export type OrderExecution = 'limit' | 'market' | 'stopLimit' | 'stopMarket';
export type OrderStatus = 'New' | 'Active' | 'Inactive' | 'Done' | 'Canceled';
export const ORDER_STATUSES: readonly OrderStatus[] = ['New', 'Active', 'Inactive', 'Done', 'Canceled'];

export interface Order {
  readonly id: number;
  readonly clientOrderId: string | null;
  readonly market: Market;
  readonly side: OrderSide;
  readonly execution: OrderExecution;
  readonly status: OrderStatus;
  /** `'market'` for market and stop-market orders. */
  readonly price: Decimal | 'market';
  readonly amount: Decimal;
  readonly matchedAmount: Decimal;
  readonly unmatchedAmount: Decimal;
  /** Zero when nothing matched. */
  readonly averagePrice: Decimal;
  readonly fee: Decimal;
  readonly createdAtMs: number;
  /** Nobitex's `partial` flag; detect partial fills from matchedAmount, not from this. */
  readonly partial: boolean;
  /** Stop orders and OCO stop legs: the stop price (`param1`); null otherwise. */
  readonly stopPrice: Decimal | null;
  /** OCO legs: the other leg's id; null otherwise. */
  readonly pairId: number | null;
}

export interface PriceLevel {
  readonly price: Decimal;
  readonly amount: Decimal;
}

export interface OrderBook {
  /** `BTCIRT` form. */
  readonly symbol: string;
  readonly lastUpdateAtMs: number;
  readonly lastTradePrice: Decimal | null;
  /** Sell orders, ascending price. */
  readonly asks: readonly PriceLevel[];
  /** Buy orders, descending price. */
  readonly bids: readonly PriceLevel[];
}

export interface PublicTrade {
  readonly timeMs: number;
  readonly price: Decimal;
  readonly volume: Decimal;
  readonly side: OrderSide;
}

export interface MarketStats {
  /** The `/market/stats` key, `btc-rls`. */
  readonly key: string;
  /** Null when the key names no market Keel can parse (a quote other than rls/usdt). */
  readonly market: Market | null;
  readonly isClosed: boolean;
  readonly bestSell: Decimal | null;
  readonly bestBuy: Decimal | null;
  readonly volumeSrc: Decimal;
  readonly volumeDst: Decimal;
  readonly latest: Decimal;
  readonly mark: Decimal | null;
  readonly dayLow: Decimal;
  readonly dayHigh: Decimal;
  readonly dayOpen: Decimal;
  readonly dayClose: Decimal;
  readonly dayChangePercent: Decimal;
}

export type OhlcResolution =
  | '1'
  | '5'
  | '15'
  | '30'
  | '60'
  | '180'
  | '240'
  | '360'
  | '720'
  | 'D'
  | '2D'
  | '3D';

export interface Candle {
  readonly timeMs: number;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  readonly volume: Decimal;
}

export interface ExchangeOptions {
  /** Minimum order value per quote currency (`rls`, `usdt`). */
  readonly minOrders: ReadonlyMap<string, Decimal>;
  /** Amount step per symbol (`BTCIRT`). */
  readonly amountPrecisions: ReadonlyMap<string, Decimal>;
  /** Price step per symbol (`BTCIRT`), rial for rial markets. */
  readonly pricePrecisions: ReadonlyMap<string, Decimal>;
  /** Currencies open for trading (lowercase codes); absent in old answers, then every priced market is. */
  readonly activeCurrencies?: readonly string[] | undefined;
}

export interface CancelResult {
  /** False when Nobitex did not apply the cancel (the order was already finished). */
  readonly applied: boolean;
  readonly currentStatus: OrderStatus;
  readonly order: Order;
}

export interface UserTrade {
  readonly id: number;
  readonly orderId: number;
  readonly market: Market;
  readonly side: OrderSide;
  readonly price: Decimal;
  readonly amount: Decimal;
  readonly total: Decimal;
  readonly fee: Decimal;
  readonly executedAtMs: number;
}

export interface WalletBalance {
  readonly id: number;
  /** Lowercase code, `rls`, `btc`. */
  readonly currency: string;
  readonly balance: Decimal;
  readonly blocked: Decimal;
  /** Available: balance minus blocked (Nobitex's `activeBalance`). */
  readonly active: Decimal;
}

export interface WalletBalanceV2 {
  readonly id: number;
  readonly currency: string;
  readonly balance: Decimal;
  readonly blocked: Decimal;
}

export interface Profile {
  readonly email: string | null;
  readonly username: string | null;
  /** Suffix of the private WebSocket channels. */
  readonly websocketAuthParam: string | null;
  readonly feePercent: Decimal | null;
  readonly feeUsdtPercent: Decimal | null;
  readonly monthTradesCount: number | null;
}
