// When reconciliation runs: opening balances from the exchange on a fresh ledger, then periodically,
// but only while no order is in flight (a fill the ledger has not posted yet is not a discrepancy).

import type { KeelConfig } from '../config/index.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { OrderJournal } from '../exchange/order-journal/order-journal.js';
import type { Logger } from '../logging/logger.js';
import type { Ledger } from '../position/ledger.js';
import { Reconciler } from '../position/reconciliation.js';
import type { ReconciliationResult } from '../position/reconciliation-result.js';
import type { Database } from '../storage/database.js';
import type { ExchangeStack } from './exchange-stack.js';

export async function createReconciler(options: {
  config: KeelConfig;
  ledger: Ledger;
  db: Database;
  exchange: ExchangeStack;
  journal: OrderJournal;
  clock: Clock;
  logger: Logger;
}): Promise<Reconciler> {
  const { exchange, journal } = options;
  return Reconciler.create({
    ledger: options.ledger,
    database: options.db,
    clock: options.clock,
    logger: options.logger,
    tolerances: options.config.reconciliation.tolerance,
    intervalMs: options.config.reconciliation.intervalMs,
    fetchWallets: async () => {
      exchange.adapter.invalidateWallets();
      const { value } = await exchange.adapter.getWallets({ allowStale: false });
      return new Map(
        [...value].map(([currency, wallet]) => [
          currency,
          { balance: wallet.balance, blocked: wallet.blocked },
        ]),
      );
    },
    fetchOpenOrders: async () => {
      const { orders } = await exchange.adapter.listOrders({ status: 'open', details: 2 });
      return orders.map((order) => ({
        id: String(order.id),
        clientOrderId: order.clientOrderId,
        market: `${order.market.base}-${order.market.quote}`,
      }));
    },
    knownOrders: {
      knownOrderIds: () => journal.knownExchangeOrderIds(),
      knownClientOrderIds: () => journal.knownClientOrderIds(),
    },
  });
}

/** Waits between tries of the opening reconciliation while the exchange is unreachable, ms. */
const INITIALIZE_RETRY_MS = 2_000;

export class ReconciliationLoop {
  #timer: TimerHandle | undefined;
  #running = false;
  #stopped = false;

  constructor(
    private readonly o: {
      reconciler: Reconciler;
      ledger: Ledger;
      journal: OrderJournal;
      clock: Clock;
      logger: Logger;
      intervalMs: number;
    },
  ) {}

  /**
   * A fresh ledger takes the exchange's balances as its opening balances, before any trade. Not
   * "the ledger has assets": a start killed between two openings must finish them before trading.
   */
  async initialize(cancelled: () => boolean = () => this.#stopped): Promise<void> {
    while (!cancelled() && !(await this.o.reconciler.isInitialized())) {
      const result = await this.o.reconciler.initializeFromExchange();
      if (result.status !== 'error') return;
      this.o.logger.warn({ error: result.error }, 'opening balances: exchange unreachable, trying again');
      await this.o.clock.sleep(INITIALIZE_RETRY_MS);
    }
  }

  /** Runs every intervalMs until stop(); may start again after a stop (a new trading term). */
  start(): void {
    this.#stopped = false;
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** One run now (the CLI and API ask for it); waits for in-flight orders to settle first, briefly. */
  async runNow(): Promise<ReconciliationResult> {
    return this.o.reconciler.runOnce();
  }

  lastResult(): ReconciliationResult | undefined {
    return this.o.reconciler.lastResult();
  }

  #schedule(): void {
    if (this.#stopped) return;
    if (this.#timer !== undefined) this.o.clock.clearTimeout(this.#timer);
    this.#timer = this.o.clock.setTimeout(() => void this.#tick(), this.o.intervalMs);
  }

  async #tick(): Promise<void> {
    if (this.#running || this.#stopped) return;
    this.#running = true;
    try {
      const live = await this.o.journal.listNonTerminal(1);
      if (live.length === 0) await this.o.reconciler.runOnce();
      else this.o.logger.debug({ openOrderCount: live.length }, 'reconciliation deferred: orders in flight');
    } catch (error) {
      this.o.logger.error({ err: error }, 'reconciliation failed');
    } finally {
      this.#running = false;
      this.#schedule();
    }
  }
}
