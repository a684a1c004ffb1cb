// Positions and P&L per strategy, derived from the ledger's stored fills: each fill belongs to the
// strategy of its signal; a fill without a signal (an order placed outside Keel) and every posting
// that is not a fill (openings, deposits, corrections) belong to EXTERNAL_STRATEGY. Derived from the
// journal, so it survives restarts with nothing stored of its own; exact integer minor units throughout.
import { assert } from '../core/assert.js';
import { Decimal } from '../core/decimal.js';
import { EXTERNAL_STRATEGY } from '../market-data/signal.js';
import { parseAccount } from './accounts.js';
import type { Ledger } from './ledger.js';
import { fillFacts } from './ledger-state.js';
import { PositionBook, type PositionView } from './positions.js';
import { decimalOf, type Posting } from './posting.js';

/** Fills of a signal whose alert named no strategy. */
export const DEFAULT_STRATEGY = 'default';

export interface StrategyPositionsOptions {
  readonly ledger: Ledger;
  /** The strategy an alert named, for a signal id; undefined when it named none or is unknown. */
  readonly strategyOf: (signalId: string) => Promise<string | undefined>;
}

export interface StrategyPositionView extends PositionView {
  readonly strategy: string;
}

export interface EquityPoint {
  readonly atMs: number;
  readonly strategy: string;
  /** Quote currency of the realized P&L. */
  readonly quote: string;
  /** Realized P&L of the strategy in that quote currency after this fill, fees included. */
  readonly realizedPnl: Decimal;
  /**
   * Unrealized P&L of the strategy's open positions in that quote currency, each at its last fill price
   * (the mark the exchange traded at then; markets without a fill of this strategy count zero).
   */
  readonly unrealizedPnl: Decimal;
}

/** Equity points kept in memory at most (oldest dropped first). */
export const EQUITY_POINTS_MAX = 10_000;
/** Signal ids whose strategy is remembered at most. */
const STRATEGY_CACHE_MAX = 100_000;

export class StrategyPositions {
  readonly #books = new Map<string, PositionBook>();
  /** Wallet total (available + blocked) each strategy's postings moved, per asset. */
  readonly #holdings = new Map<string, Map<string, bigint>>();
  readonly #strategyBySignal = new Map<string, string>();
  readonly #equity: EquityPoint[] = [];
  /** Last fill price per `btc-rls` market: the marks of the equity points. */
  readonly #lastFillPrices = new Map<string, Decimal>();
  #lastSeq = 0;
  #refreshing: Promise<void> | undefined;

  constructor(private readonly options: StrategyPositionsOptions) {}

  /** Reads the postings committed since the last look. Concurrent callers share one read. */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#catchUp().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  positions(): StrategyPositionView[] {
    const views: StrategyPositionView[] = [];
    for (const strategy of [...this.#books.keys()].sort())
      for (const view of this.#books.get(strategy)!.views()) views.push({ strategy, ...view });
    return views;
  }

  /** What each strategy's postings added to the wallets per asset; summed over strategies, the ledger's totals. */
  holdings(): { strategy: string; asset: string; total: Decimal }[] {
    const rows: { strategy: string; asset: string; total: Decimal }[] = [];
    for (const strategy of [...this.#holdings.keys()].sort()) {
      const byAsset = this.#holdings.get(strategy)!;
      for (const asset of [...byAsset.keys()].sort())
        rows.push({ strategy, asset, total: decimalOf(byAsset.get(asset)!) });
    }
    return rows;
  }

  equity(): readonly EquityPoint[] {
    return this.#equity;
  }

  #unrealizedAtLastFills(book: PositionBook, quote: string): Decimal {
    let sum = new Decimal(0);
    for (const view of book.views()) {
      const mark = this.#lastFillPrices.get(view.market);
      if (view.quote === quote && mark !== undefined) sum = sum.plus(unrealizedPnl(view, mark));
    }
    return sum;
  }

  async #catchUp(): Promise<void> {
    for (;;) {
      const page = await this.options.ledger.postingsAfter(this.#lastSeq);
      for (const posting of page) await this.#apply(posting);
      if (page.length === 0) return;
    }
  }

  async #apply(posting: Posting): Promise<void> {
    assert(posting.seq === this.#lastSeq + 1, `posting ${posting.seq} read after ${this.#lastSeq}`);
    const strategy = await this.#strategyOfPosting(posting);
    if (posting.kind === 'fill') {
      const facts = fillFacts(posting);
      let book = this.#books.get(strategy);
      if (book === undefined) {
        book = new PositionBook();
        this.#books.set(strategy, book);
      }
      book.apply(facts);
      const market = `${facts.base}-${facts.quote}`;
      const view = book.views().find((candidate) => candidate.market === market);
      assert(view !== undefined, `no position for ${market} after a fill`);
      if (facts.amountMinor > 0n)
        this.#lastFillPrices.set(market, decimalOf(facts.totalMinor).div(decimalOf(facts.amountMinor)));
      this.#equity.push({
        atMs: posting.atMs,
        strategy,
        quote: facts.quote,
        realizedPnl: view.realizedPnl,
        unrealizedPnl: this.#unrealizedAtLastFills(book, facts.quote),
      });
      if (this.#equity.length > EQUITY_POINTS_MAX) this.#equity.shift();
    }
    let byAsset = this.#holdings.get(strategy);
    if (byAsset === undefined) {
      byAsset = new Map();
      this.#holdings.set(strategy, byAsset);
    }
    for (const entry of posting.entries) {
      const { kind } = parseAccount(entry.account);
      if (kind !== 'walletAvailable' && kind !== 'walletBlocked') continue;
      byAsset.set(entry.asset, (byAsset.get(entry.asset) ?? 0n) + entry.amountMinor);
    }
    this.#lastSeq = posting.seq;
  }

  async #strategyOfPosting(posting: Posting): Promise<string> {
    const signalId = posting.metadata.signalId;
    // A block or release only moves funds between available and blocked: it changes no strategy's total.
    if (posting.kind !== 'fill' || signalId === undefined) return EXTERNAL_STRATEGY;
    const known = this.#strategyBySignal.get(signalId);
    if (known !== undefined) return known;
    const strategy = (await this.options.strategyOf(signalId)) ?? DEFAULT_STRATEGY;
    if (this.#strategyBySignal.size >= STRATEGY_CACHE_MAX) this.#strategyBySignal.clear();
    this.#strategyBySignal.set(signalId, strategy);
    return strategy;
  }
}

/** Unrealized P&L of a position at a mark price: position × mark − cost basis (quote currency). */
export function unrealizedPnl(view: PositionView, markPrice: Decimal): Decimal {
  return new Decimal(view.position).times(markPrice).minus(view.costBasis);
}
