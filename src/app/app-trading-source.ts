// The trading API's view of a running Keel: positions and P&L per strategy at the exchange's price,
// one order with its audit trail, the ledger's history; an operator's close or cancel becomes a signal
// (as an alert would), and a single order's cancel goes to the exchange and is confirmed there.
import type { Clock } from '../core/clock.js';
import { type Decimal, formatDecimal } from '../core/decimal.js';
import type { StrategyActions } from '../engine/strategy-actions.js';
import { type Market, parseMarket, toSymbol } from '../exchange/markets.js';
import type { OrderJournal } from '../exchange/order-journal/order-journal.js';
import type { VerificationGateway } from '../exchange/transaction-verification/gateway.js';
import type { OrderCanceller } from '../exchange/transaction-verification/order-canceller.js';
import type { SignalStore } from '../market-data/signal-store.js';
import type {
  LedgerHistoryQuery,
  LedgerHistoryView,
  OrderDetailView,
  PnlView,
  PositionsView,
  StrategyActionInput,
  TradingSource,
} from '../monitoring/api/trading-source.js';
import type { Ledger } from '../position/ledger.js';
import { DEFAULT_STRATEGY, type StrategyPositions, unrealizedPnl } from '../position/strategy-positions.js';
import { orderView } from './app-status-source.js';
import { strategyPnl } from './strategy-pnl.js';

export interface AppTradingSourceOptions {
  readonly clock: Clock;
  readonly ledger: Ledger;
  readonly journal: OrderJournal;
  readonly signals: SignalStore;
  readonly positions: StrategyPositions;
  readonly actions: StrategyActions;
  readonly canceller: OrderCanceller;
  readonly gateway: Pick<VerificationGateway, 'getMarketRules'>;
  /** Throws (409) on an instance that may not act on orders. */
  readonly assertLeader: () => void;
}

/** Audit events shown per order at most. */
const AUDIT_EVENTS_MAX = 1_000;

export class AppTradingSource implements TradingSource {
  constructor(private readonly o: AppTradingSourceOptions) {}

  async positions(): Promise<PositionsView> {
    await this.o.positions.refresh();
    const views = this.o.positions.positions();
    const marks = await this.#markPrices(views.map((view) => view.market));
    return {
      atMs: this.o.clock.nowMs(),
      positions: views.map((view) => {
        const mark = marks.get(view.market);
        return {
          strategy: view.strategy,
          symbol: symbolOf(view.market),
          base: view.base,
          quote: view.quote,
          position: formatDecimal(view.position),
          averageCost:
            view.averageCost === undefined ? null : formatDecimal(view.averageCost.toDecimalPlaces(10)),
          costBasis: formatDecimal(view.costBasis),
          realizedPnl: formatDecimal(view.realizedPnl),
          markPrice: mark === undefined ? null : formatDecimal(mark),
          unrealizedPnl: mark === undefined ? null : formatDecimal(unrealizedPnl(view, mark)),
          fillCount: view.fillCount,
        };
      }),
      holdings: this.o.positions
        .holdings()
        .map((row) => ({ strategy: row.strategy, asset: row.asset, total: formatDecimal(row.total) })),
    };
  }

  async pnl(): Promise<PnlView> {
    const { positions } = await this.positions();
    const atMs = this.o.clock.nowMs();
    const strategies = strategyPnl(positions);
    const history = this.o.positions.equity().map((point) => ({
      atMs: point.atMs,
      strategy: point.strategy,
      quote: point.quote,
      realizedPnl: formatDecimal(point.realizedPnl),
      unrealizedPnl: formatDecimal(point.unrealizedPnl),
      totalPnl: formatDecimal(point.realizedPnl.plus(point.unrealizedPnl)),
    }));
    // The series ends now, at the mark price, for every strategy whose open positions can be priced.
    const now = strategies.flatMap((row) =>
      row.unrealizedPnl === null || row.totalPnl === null
        ? []
        : [{ atMs, ...row, unrealizedPnl: row.unrealizedPnl, totalPnl: row.totalPnl }],
    );
    return { atMs, strategies, equity: [...history, ...now] };
  }

  async order(id: string): Promise<OrderDetailView | undefined> {
    const intent = await this.o.journal.get(id);
    if (intent === undefined) return undefined;
    const [fills, audit, postings, strategy] = await Promise.all([
      this.o.journal.fills(id),
      this.o.journal.audit({ orderId: id, limit: AUDIT_EVENTS_MAX }),
      this.o.ledger.postingsByOrder(id),
      this.o.actions.strategyOfSignal(intent.signalId),
    ]);
    return {
      order: orderView(intent),
      strategy,
      fills: fills.map((fill) => ({
        tradeId: fill.tradeId,
        amount: formatDecimal(fill.amount),
        price: formatDecimal(fill.price),
        total: formatDecimal(fill.total),
        fee: formatDecimal(fill.fee),
        feeCurrency: fill.feeCurrency,
        atMs: fill.atMs,
      })),
      audit: audit
        .sort((a, b) => a.seq - b.seq)
        .map((event) => ({
          seq: event.seq,
          fromState: event.fromState,
          toState: event.toState,
          cause: event.cause,
          atMs: event.atMs,
        })),
      postings: postings.map((posting) => ({
        seq: posting.seq,
        kind: posting.kind,
        memo: posting.memo,
        atMs: posting.atMs,
      })),
    };
  }

  async ledgerHistory(query: LedgerHistoryQuery): Promise<LedgerHistoryView> {
    const entries = await this.o.ledger.history(query.account, {
      limit: query.limit,
      ...(query.fromMs === undefined ? {} : { fromMs: query.fromMs }),
      ...(query.toMs === undefined ? {} : { toMs: query.toMs }),
    });
    const first = entries[0];
    let balance =
      first === undefined ? undefined : await this.o.ledger.balance(query.account, { atMs: first.atMs - 1 });
    return {
      account: query.account,
      entries: entries.map((entry) => {
        balance = balance === undefined ? entry.change : balance.plus(entry.change);
        return {
          seq: entry.seq,
          atMs: entry.atMs,
          kind: entry.kind,
          memo: entry.memo,
          change: formatDecimal(entry.change),
          balance: formatDecimal(balance),
        };
      }),
    };
  }

  async cancelOrder(id: string, by: string) {
    this.o.assertLeader();
    return this.o.canceller.cancel(id, `operator ${by}`);
  }

  async submitAction(input: StrategyActionInput) {
    const market = parseMarket(input.symbol);
    const nowMs = this.o.clock.nowMs();
    const strategy = input.strategy ?? DEFAULT_STRATEGY;
    const result = await this.o.signals.accept({
      signal: {
        symbol: toSymbol(market),
        base: market.base,
        quote: market.quote,
        size: { kind: 'target', position: '0' },
        order: { type: 'market' },
        action: input.action,
        ...(strategy === DEFAULT_STRATEGY ? {} : { strategy }),
        alertAtMs: nowMs,
        alertTimeSource: 'received',
        receivedAtMs: nowMs,
      },
      dedupKey: `operator:${input.action}:${toSymbol(market)}:${strategy}:${nowMs}`,
      raw: JSON.stringify({ action: input.action, symbol: input.symbol, strategy, by: input.by }),
      sourceIp: undefined,
    });
    return { signalId: result.signalId, duplicate: result.duplicate };
  }

  /** The exchange's latest price per `base-quote` market; a market it cannot price is left out. */
  async #markPrices(markets: readonly string[]): Promise<Map<string, Decimal>> {
    const marks = new Map<string, Decimal>();
    for (const key of new Set(markets)) {
      const market = marketOf(key);
      if (market === undefined) continue;
      try {
        const rules = await this.o.gateway.getMarketRules(market);
        if (rules.lastPrice.gt(0)) marks.set(key, rules.lastPrice);
      } catch {
        // No price now: the view says null rather than a made-up number.
      }
    }
    return marks;
  }
}

function marketOf(key: string): Market | undefined {
  try {
    return parseMarket(key);
  } catch {
    return undefined;
  }
}

const symbolOf = (key: string): string => {
  const market = marketOf(key);
  return market === undefined ? key.toUpperCase() : toSymbol(market);
};
