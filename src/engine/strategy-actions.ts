// What `action: cancel` and `action: close` do before (or instead of) an order: cancel the strategy's
// open orders on the symbol (protective legs carry their entry's signal, so they are the strategy's
// too), and for a close wait until those orders have ended and their fills are booked, then tell the
// engine the strategy's own position, which the close flattens with one market order.
import { type Clock, systemClock } from '../core/clock.js';
import { Decimal } from '../core/decimal.js';
import type { Market } from '../exchange/markets.js';
import type { OrderIntent } from '../exchange/order-journal/order-intent.js';
import type { OrderJournal } from '../exchange/order-journal/order-journal.js';
import { isTerminal } from '../exchange/order-journal/order-state.js';
import type { CancelOutcome, OrderCanceller } from '../exchange/transaction-verification/order-canceller.js';
import type { SignalStore, StoredSignal } from '../market-data/signal-store.js';
import { DEFAULT_STRATEGY, type StrategyPositions } from '../position/strategy-positions.js';

export interface StrategyActionsOptions {
  readonly journal: OrderJournal;
  readonly signals: SignalStore;
  readonly canceller: OrderCanceller;
  readonly positions: StrategyPositions;
  readonly clock?: Clock;
  /** Longest a close waits for the orders it cancelled to end before it refuses, ms. Default 30 000. */
  readonly settleMaxMs?: number;
  /** Wait between two looks at the journal while a close waits, ms. Default 250. */
  readonly settlePollMs?: number;
}

export type CloseVerdict =
  | { readonly kind: 'position'; readonly position: Decimal; readonly cancelled: readonly CancelOutcome[] }
  | { readonly kind: 'refuse'; readonly code: string; readonly message: string };

/** Open orders examined per cancel at most. */
const OPEN_ORDERS_MAX = 10_000;

export class StrategyActions {
  readonly #clock: Clock;

  constructor(private readonly o: StrategyActionsOptions) {
    this.#clock = o.clock ?? systemClock;
  }

  /** Cancels every open order of the strategy on the market, the asking signal's own order excepted. */
  async cancelOpen(input: {
    readonly strategy: string;
    readonly market: Market;
    readonly by: string;
    readonly exceptSignalId?: string;
  }): Promise<CancelOutcome[]> {
    const open = await this.openOrders(input.strategy, input.market);
    const outcomes: CancelOutcome[] = [];
    for (const intent of open) {
      if (intent.signalId === input.exceptSignalId) continue;
      const outcome = await this.o.canceller.cancel(intent.id, input.by);
      if (outcome !== undefined) outcomes.push(outcome);
    }
    return outcomes;
  }

  /** The strategy's orders on the market that have not ended, oldest first. */
  async openOrders(strategy: string, market: Market): Promise<OrderIntent[]> {
    const open = await this.o.journal.listNonTerminal(OPEN_ORDERS_MAX);
    const mine: OrderIntent[] = [];
    for (const intent of open) {
      if (intent.market.base !== market.base || intent.market.quote !== market.quote) continue;
      if ((await this.strategyOfSignal(intent.signalId)) === strategy) mine.push(intent);
    }
    return mine;
  }

  async strategyOfSignal(signalId: string): Promise<string> {
    return (await this.o.signals.get(signalId))?.signal.strategy ?? DEFAULT_STRATEGY;
  }

  /** Cancels, waits for the cancelled orders to end, then reads the strategy's position on the market. */
  async prepareClose(stored: StoredSignal): Promise<CloseVerdict> {
    const strategy = stored.signal.strategy ?? DEFAULT_STRATEGY;
    const market = { base: stored.signal.base, quote: stored.signal.quote };
    const cancelled = await this.cancelOpen({
      strategy,
      market,
      by: `signal ${stored.id}`,
      exceptSignalId: stored.id,
    });
    const unconfirmed = cancelled.filter((outcome) => outcome.result === 'unconfirmed');
    if (unconfirmed.length > 0)
      return {
        kind: 'refuse',
        code: 'CancelUnconfirmed',
        message: `could not confirm the cancel of ${unconfirmed.map((outcome) => outcome.orderId).join(', ')}: not closing`,
      };
    const settled = await this.#waitEnded(cancelled.map((outcome) => outcome.orderId));
    if (!settled)
      return {
        kind: 'refuse',
        code: 'CloseUnsettled',
        message: 'orders of the strategy did not end in time: not closing on a position still moving',
      };
    await this.o.positions.refresh();
    const view = this.o.positions
      .positions()
      .find(
        (candidate) =>
          candidate.strategy === strategy &&
          candidate.base === market.base &&
          candidate.quote === market.quote,
      );
    return { kind: 'position', position: view?.position ?? new Decimal(0), cancelled };
  }

  async #waitEnded(orderIds: readonly string[]): Promise<boolean> {
    const settleMaxMs = this.o.settleMaxMs ?? 30_000;
    const pollMs = this.o.settlePollMs ?? 250;
    const deadlineMs = this.#clock.nowMs() + settleMaxMs;
    for (;;) {
      const states = await Promise.all(orderIds.map((id) => this.o.journal.get(id)));
      if (states.every((intent) => intent === undefined || isTerminal(intent.state))) return true;
      if (this.#clock.nowMs() >= deadlineMs) return false;
      await this.#clock.sleep(pollMs);
    }
  }
}
