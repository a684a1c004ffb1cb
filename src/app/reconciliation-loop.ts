// When reconciliation runs: opening balances from the exchange on a fresh ledger, then periodically
// and on demand. Every comparison first catches the ledger up on the exchange's trades of live orders
// (a fill the ledger has not posted yet is not a discrepancy), so runs need not wait for orders to end.

import type { KeelConfig } from '../config/index.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import { LedgerOrderSink } from '../engine/ledger-sink.js';
import type { EnhancedNobitexAdapter } from '../exchange/enhanced-nobitex-adapter/enhanced-nobitex-adapter.js';
import type { OrderJournal } from '../exchange/order-journal/order-journal.js';
import { FillCatchUp, inFlightCurrencies } from '../exchange/transaction-verification/fill-catch-up.js';
import type { Logger } from '../logging/logger.js';
import type { Ledger } from '../position/ledger.js';
import { Reconciler } from '../position/reconciliation.js';
import type { ExchangeOpenOrder, KnownOrdersProvider } from '../position/reconciliation-compare.js';
import type { ReconciliationResult } from '../position/reconciliation-result.js';
import type { Database } from '../storage/database.js';
import type { ExchangeStack } from './exchange-stack.js';

/** Each currency's allowed difference and the time between runs, from the reconciliation settings. */
export function reconciliationSettings(config: KeelConfig) {
  return { tolerances: config.reconciliation.tolerance, intervalMs: config.reconciliation.intervalMs };
}

export async function createReconciler(options: {
  config: KeelConfig;
  ledger: Ledger;
  db: Database;
  exchange: ExchangeStack;
  journal: OrderJournal;
  clock: Clock;
  logger: Logger;
}): Promise<Reconciler> {
  const { exchange, journal, ledger } = options;
  const catchUp = new FillCatchUp({
    journal,
    gateway: exchange.gateway,
    ledger: new LedgerOrderSink(ledger),
    stillBlocked: (intent) =>
      [intent.market.base, intent.market.quote].some((asset) =>
        ledger.blockedForOrder(intent.id, asset).gt(0),
      ),
    tradePagesMax: options.config.verification.tradePagesMax,
    logger: options.logger,
  });
  return Reconciler.create({
    ledger: options.ledger,
    database: options.db,
    clock: options.clock,
    logger: options.logger,
    ...reconciliationSettings(options.config),
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
    fetchOpenOrders: () => openOrdersOf(exchange.adapter),
    catchUp: async () => {
      const { inFlight } = await catchUp.run();
      return {
        assets: inFlightCurrencies(inFlight),
        reasons: inFlight.map((order) => `order ${order.orderId} ${order.reason}`),
      };
    },
    knownOrders: journalKnownOrders(journal),
  });
}

/** The exchange's open orders as reconciliation compares them with the journal. */
export async function openOrdersOf(
  adapter: Pick<EnhancedNobitexAdapter, 'listOrders'>,
): Promise<ExchangeOpenOrder[]> {
  const { orders } = await adapter.listOrders({ status: 'open', details: 2 });
  return orders.map((order) => ({
    id: String(order.id),
    clientOrderId: order.clientOrderId,
    pairId: order.pairId === null ? null : String(order.pairId),
    market: `${order.market.base}-${order.market.quote}`,
  }));
}

/** Keel's orders per the journal: journaled ones, and the OCO stop legs their pairs' answers named. */
export function journalKnownOrders(
  journal: Pick<OrderJournal, 'keelExchangeOrderIds' | 'knownClientOrderIds'>,
): KnownOrdersProvider {
  return {
    knownOrderIds: (among) => journal.keelExchangeOrderIds(among),
    knownClientOrderIds: (among) => journal.knownClientOrderIds(among),
  };
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
      clock: Clock;
      logger: Logger;
      intervalMs: number;
      /** Each comparison's result (scheduled or asked for): counted in keel_reconciliations_total. */
      onResult?: (result: ReconciliationResult) => void;
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

  /** One run now (the CLI and API ask for it); it catches up on live orders' trades before comparing. */
  async runNow(): Promise<ReconciliationResult> {
    // Asked before the opening balances exist: comparing an empty ledger would be a breach of everything.
    if (this.o.ledger.assets().length === 0) return this.o.reconciler.initializeFromExchange();
    const result = await this.o.reconciler.runOnce();
    this.o.onResult?.(result);
    return result;
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
      this.o.onResult?.(await this.o.reconciler.runOnce());
    } catch (error) {
      this.o.logger.error({ err: error }, 'reconciliation failed');
    } finally {
      this.#running = false;
      this.#schedule();
    }
  }
}
