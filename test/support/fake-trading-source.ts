// A TradingSource with settable views, recording the operator's cancels and close/cancel actions.
import type {
  CancelView,
  LedgerHistoryQuery,
  LedgerHistoryView,
  OrderDetailView,
  PnlView,
  PositionsView,
  StrategyActionInput,
  TradingSource,
} from '../../src/monitoring/api/trading-source.js';

export class FakeTradingSource implements TradingSource {
  positionsView: PositionsView = { atMs: 0, positions: [], holdings: [] };
  pnlView: PnlView = { atMs: 0, strategies: [], equity: [] };
  orderDetails = new Map<string, OrderDetailView>();
  historyQueries: LedgerHistoryQuery[] = [];
  cancels: { id: string; by: string }[] = [];
  actions: StrategyActionInput[] = [];

  async positions() {
    return this.positionsView;
  }

  async pnl() {
    return this.pnlView;
  }

  async order(id: string) {
    return this.orderDetails.get(id);
  }

  async ledgerHistory(query: LedgerHistoryQuery): Promise<LedgerHistoryView> {
    this.historyQueries.push(query);
    return { account: query.account, entries: [] };
  }

  async cancelOrder(id: string, by: string): Promise<CancelView | undefined> {
    if (!this.orderDetails.has(id)) return undefined;
    this.cancels.push({ id, by });
    return { orderId: id, result: 'cancelled', exchangeStatus: 'Canceled' };
  }

  async submitAction(input: StrategyActionInput) {
    this.actions.push(input);
    return { signalId: `sig-${this.actions.length}`, duplicate: false };
  }
}
