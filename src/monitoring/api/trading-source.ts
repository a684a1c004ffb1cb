// What the trading API shows and does: positions and P&L per strategy, one order with its audit
// trail, the ledger's history, and the operator's close and cancel. Plain JSON, decimals as strings.
import type { OrderView } from './status-source.js';

export interface StrategyPositionRow {
  readonly strategy: string;
  /** Exchange symbol, `BTCIRT`. */
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly position: string;
  readonly averageCost: string | null;
  readonly costBasis: string;
  readonly realizedPnl: string;
  /** The exchange's latest price; null when it could not be read. */
  readonly markPrice: string | null;
  /** position × mark − cost basis; null without a mark price. */
  readonly unrealizedPnl: string | null;
  readonly fillCount: number;
}

export interface PositionsView {
  readonly atMs: number;
  readonly positions: readonly StrategyPositionRow[];
  /** What each strategy's postings added to the wallets; summed per asset, the ledger's balance. */
  readonly holdings: readonly { readonly strategy: string; readonly asset: string; readonly total: string }[];
}

export interface PnlView {
  readonly atMs: number;
  /** One row per strategy and quote currency. */
  readonly strategies: readonly {
    readonly strategy: string;
    readonly quote: string;
    readonly realizedPnl: string;
    /** Null when a mark price of one of its open positions is missing. */
    readonly unrealizedPnl: string | null;
    readonly totalPnl: string | null;
  }[];
  /**
   * P&L after each fill, oldest first, then one point now at the exchange's mark price: the equity
   * chart's series. Unrealized P&L at a fill is at that market's last fill price.
   */
  readonly equity: readonly {
    readonly atMs: number;
    readonly strategy: string;
    readonly quote: string;
    readonly realizedPnl: string;
    readonly unrealizedPnl: string;
    /** Realized plus unrealized: what the chart plots. */
    readonly totalPnl: string;
  }[];
}

export interface OrderDetailView {
  readonly order: OrderView;
  readonly strategy: string;
  readonly fills: readonly {
    readonly tradeId: string;
    readonly amount: string;
    readonly price: string;
    readonly total: string;
    readonly fee: string;
    readonly feeCurrency: string;
    readonly atMs: number;
  }[];
  /** Every journal event of the order, oldest first. */
  readonly audit: readonly {
    readonly seq: number;
    readonly fromState: string | null;
    readonly toState: string;
    readonly cause: string;
    readonly atMs: number;
  }[];
  /** The ledger postings the order caused (blocks, fills, releases). */
  readonly postings: readonly {
    readonly seq: number;
    readonly kind: string;
    readonly memo: string;
    readonly atMs: number;
  }[];
}

export interface LedgerHistoryQuery {
  readonly account: string;
  readonly fromMs?: number;
  readonly toMs?: number;
  readonly limit: number;
}

export interface LedgerHistoryView {
  readonly account: string;
  /** Balance on the account's normal side after the newest entry listed. */
  readonly entries: readonly {
    readonly seq: number;
    readonly atMs: number;
    readonly kind: string;
    readonly memo: string;
    readonly change: string;
    readonly balance: string;
  }[];
}

export interface CancelView {
  readonly orderId: string;
  /** cancelled, filled, ended, notOnExchange or unconfirmed (see OrderCanceller). */
  readonly result: string;
  readonly exchangeStatus?: string;
}

export interface StrategyActionInput {
  readonly action: 'close' | 'cancel';
  readonly symbol: string;
  /** Default: the strategy of alerts that name none. */
  readonly strategy?: string;
  /** The authenticated principal. */
  readonly by: string;
}

export interface TradingSource {
  positions(): Promise<PositionsView>;
  pnl(): Promise<PnlView>;
  /** Undefined when the journal has no such order. */
  order(id: string): Promise<OrderDetailView | undefined>;
  ledgerHistory(query: LedgerHistoryQuery): Promise<LedgerHistoryView>;
  /** Cancels one order on the exchange and confirms it there. Undefined when no such order. */
  cancelOrder(id: string, by: string): Promise<CancelView | undefined>;
  /** Queues a close or cancel as a signal, as an alert would; the engine carries it out. */
  submitAction(
    input: StrategyActionInput,
  ): Promise<{ readonly signalId: string; readonly duplicate: boolean }>;
}
