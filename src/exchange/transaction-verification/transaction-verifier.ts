// Three-phase transaction verification: prepare (journal PREPARED), execute (send once, classify),
// verify (confirm by id; resolve unknowns by asking; poll to a terminal state; record each fill once).
// An UNKNOWN order is only ever resent after it has been proven absent, with the same clientOrderId.
import { AssertionError } from '../../core/assert.js';
import { type Clock, systemClock } from '../../core/clock.js';
import { formatDecimal } from '../../core/decimal.js';
import { isKeelError, KeelError } from '../../core/errors.js';
import { EventEmitter } from '../../core/events.js';
import { type Logger, silentLogger } from '../../logging/logger.js';
import type { OrderFill, OrderIntent } from '../order-journal/order-intent.js';
import type { OrderJournal } from '../order-journal/order-journal.js';
import { isTerminal, type OrderState } from '../order-journal/order-state.js';
import type { ExchangeOrder, VerificationGateway } from './gateway.js';
import { feeCurrencyOf, hasSuspiciousTrade, stateForOrder, sumAmounts, tradesOf } from './observe-order.js';
import { type VerificationOptions, validateVerificationOptions } from './verification-options.js';

/** Where fills and fund blocks go: the shadow ledger. Every call must be idempotent. */
export interface OrderLedgerSink {
  onOpen(intent: OrderIntent): Promise<void>;
  onFill(intent: OrderIntent, fill: OrderFill): Promise<void>;
  onFinished(intent: OrderIntent): Promise<void>;
}

export interface TransitionEvent {
  readonly intent: OrderIntent;
  readonly from: OrderState;
  readonly to: OrderState;
  readonly cause: string;
}

export interface TransactionVerifierOptions {
  readonly journal: OrderJournal;
  readonly gateway: VerificationGateway;
  readonly ledger?: OrderLedgerSink;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly options?: Partial<VerificationOptions>;
  /** Asked before every send: false holds PREPARED orders (engine halted) until it turns true or they expire. */
  readonly canSend?: () => boolean;
}

/** A bound on protocol steps per run, so a bug can never spin forever. */
export const VERIFY_STEPS_MAX = 100_000;

type Step = { readonly intent: OrderIntent; readonly waitMs: number };

export interface OverdueEvent {
  readonly intent: OrderIntent;
  /** How long the order has been unresolved, ms. */
  readonly unresolvedForMs: number;
}

/** States in which Keel does not know whether the order exists. */
const UNRESOLVED_STATES: ReadonlySet<OrderState> = new Set(['SUBMITTING', 'UNKNOWN']);

export class TransactionVerifier {
  readonly options: VerificationOptions;
  readonly #journal: OrderJournal;
  readonly #gateway: VerificationGateway;
  readonly #ledger: OrderLedgerSink | undefined;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #canSend: () => boolean;
  readonly #pollDelayMs = new Map<string, number>();
  /** When an accepted order was first missing from every lookup, per order id. */
  readonly #missingSinceMs = new Map<string, number>();
  readonly #transitionEmitter = new EventEmitter<TransitionEvent>();
  readonly #errorEmitter = new EventEmitter<{ intent: OrderIntent; error: unknown }>();
  readonly #overdueEmitter = new EventEmitter<OverdueEvent>();
  /** Orders reported overdue in this process, and since when each unresolved order has been so. */
  readonly #overdue = new Set<string>();
  readonly #unresolvedSinceMs = new Map<string, number>();
  readonly onTransition = this.#transitionEmitter.addListener;
  /** An order stayed unresolved past verifyDeadlineMs: a person must look. Once per order and process. */
  readonly onOverdue = this.#overdueEmitter.addListener;
  readonly onError = this.#errorEmitter.addListener;

  constructor(options: TransactionVerifierOptions) {
    this.options = validateVerificationOptions(options.options);
    this.#journal = options.journal;
    this.#gateway = options.gateway;
    this.#ledger = options.ledger;
    this.#clock = options.clock ?? systemClock;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'transaction-verification' });
    this.#canSend = options.canSend ?? (() => true);
  }

  /** Drives one order from any state to a terminal one. Exchange errors are waited out, never fatal. */
  async run(start: OrderIntent, signal?: AbortSignal): Promise<OrderIntent> {
    let intent = start;
    let errorDelayMs = this.options.pollIntervalMs;
    for (let step = 0; step < VERIFY_STEPS_MAX && !isTerminal(intent.state); step++) {
      try {
        const next = await this.#step(intent);
        intent = next.intent;
        await this.#checkOverdue(intent);
        errorDelayMs = this.options.pollIntervalMs;
        if (next.waitMs > 0 && !isTerminal(intent.state)) await this.#clock.sleep(next.waitMs, signal);
      } catch (error) {
        if (error instanceof AssertionError || signal?.aborted) throw error;
        this.#errorEmitter.emit({ intent, error });
        this.#logger.warn(
          { orderId: intent.id, signalId: intent.signalId, err: error },
          'verification step failed',
        );
        intent = (await this.#journal.get(intent.id)) ?? intent;
        await this.#checkOverdue(intent);
        await this.#clock.sleep(errorDelayMs, signal);
        errorDelayMs = Math.min(errorDelayMs * 2, this.options.pollIntervalMaxMs);
      }
    }
    this.#pollDelayMs.delete(intent.id);
    this.#unresolvedSinceMs.delete(intent.id);
    this.#overdue.delete(intent.id);
    if (isTerminal(intent.state)) await this.#ledger?.onFinished(intent);
    return intent;
  }

  /**
   * The operator's way out for an UNKNOWN order Keel cannot resolve (a trade that could be it forbids
   * a resend): after checking the exchange, a person ends it EXPIRED. Never resends. A running
   * verification of it sees the change at its next step and ends.
   */
  async endStuckOrder(
    orderId: string,
    input: { readonly by: string; readonly reason: string },
  ): Promise<OrderIntent> {
    const intent = await this.#journal.get(orderId);
    if (intent === undefined) throw new StuckOrderError(`no order ${orderId}`);
    if (intent.state !== 'UNKNOWN')
      throw new StuckOrderError(`only an UNKNOWN order can be ended by hand; ${orderId} is ${intent.state}`);
    return this.#move(intent, 'EXPIRED', `ended by ${input.by}: ${input.reason}`, {
      patch: { lastError: `ended by an operator: ${input.reason}` },
    });
  }

  /** Reports an order once when it has stayed unresolved past verifyDeadlineMs. */
  async #checkOverdue(intent: OrderIntent): Promise<void> {
    const nowMs = this.#clock.nowMs();
    let sinceMs: number | undefined;
    if (UNRESOLVED_STATES.has(intent.state)) {
      sinceMs = this.#unresolvedSinceMs.get(intent.id) ?? (await this.#unresolvedSinceInJournal(intent));
      this.#unresolvedSinceMs.set(intent.id, sinceMs);
    } else {
      this.#unresolvedSinceMs.delete(intent.id);
      // An open order past its lifetime whose cancel has not been confirmed.
      if (intent.state === 'ACCEPTED' || intent.state === 'PARTIALLY_FILLED')
        sinceMs = intent.createdAtMs + this.#lifetimeMs(intent);
    }
    if (sinceMs === undefined || this.#overdue.has(intent.id)) return;
    if (nowMs - sinceMs < this.options.verifyDeadlineMs) return;
    this.#overdue.add(intent.id);
    this.#logger.error({ orderId: intent.id, state: intent.state }, 'order verification overdue');
    this.#overdueEmitter.emit({ intent, unresolvedForMs: nowMs - sinceMs });
  }

  /** When the order last entered SUBMITTING or UNKNOWN from a resolved state, per its audit trail. */
  async #unresolvedSinceInJournal(intent: OrderIntent): Promise<number> {
    let sinceMs: number | undefined;
    for (const event of await this.#journal.audit({ orderId: intent.id }))
      if (!UNRESOLVED_STATES.has(event.toState)) sinceMs = undefined;
      else sinceMs ??= event.atMs;
    return sinceMs ?? intent.updatedAtMs;
  }

  #lifetimeMs(intent: OrderIntent): number {
    return intent.lifetimeMs ?? this.options.orderLifetimeMs;
  }

  async #step(intent: OrderIntent): Promise<Step> {
    switch (intent.state) {
      case 'PREPARED':
        return this.#send(intent);
      case 'SUBMITTING':
        // Found at start-up: the process died mid-send. The request may have left.
        return { intent: await this.#move(intent, 'UNKNOWN', 'resumed: crashed while sending'), waitMs: 0 };
      case 'UNKNOWN':
        return this.#resolveUnknown(intent);
      case 'ACCEPTED':
      case 'PARTIALLY_FILLED':
        return this.#poll(intent);
      default:
        return { intent, waitMs: 0 };
    }
  }

  async #send(prepared: OrderIntent): Promise<Step> {
    if (this.#clock.nowMs() - prepared.createdAtMs > this.options.sendDeadlineMs)
      return {
        intent: await this.#move(prepared, 'EXPIRED', 'not sent before the send deadline'),
        waitMs: 0,
      };
    if (!this.#canSend()) return { intent: prepared, waitMs: this.options.pollIntervalMaxMs };
    const submitting = await this.#move(prepared, 'SUBMITTING', 'sending', {
      patch: { submitCount: prepared.submitCount + 1 },
    });
    return this.#submit(submitting);
  }

  /** Sends the order that is in SUBMITTING (committed before the request leaves) and classifies the answer. */
  async #submit(intent: OrderIntent): Promise<Step> {
    const outcome = await this.#gateway
      .placeOrder({
        market: intent.market,
        side: intent.side,
        execution: intent.execution,
        amount: intent.amount,
        price: intent.price,
        clientOrderId: intent.clientOrderId,
      })
      .catch((error: unknown) => ({ kind: 'unknown' as const, reason: describe(error) }));
    switch (outcome.kind) {
      case 'accepted':
        return this.#adopt(intent, outcome.order, 'exchange accepted', outcome.raw);
      case 'rejected':
        if (outcome.code === 'DuplicateClientOrderId')
          return {
            intent: await this.#move(intent, 'UNKNOWN', 'DuplicateClientOrderId: it exists, look it up', {
              raw: outcome.raw,
            }),
            waitMs: 0,
          };
        return {
          intent: await this.#move(intent, 'REJECTED', `rejected: ${outcome.code}`, {
            raw: outcome.raw,
            patch: { rejectCode: outcome.code, lastError: outcome.message },
          }),
          waitMs: 0,
        };
      case 'notSent':
        return {
          intent: await this.#move(intent, 'PREPARED', `not sent: ${outcome.reason}`, {
            patch: { submitCount: intent.submitCount - 1, lastError: outcome.reason },
          }),
          waitMs: Math.max(outcome.retryAfterMs, this.options.pollIntervalMs),
        };
      case 'unknown':
        return {
          intent: await this.#move(intent, 'UNKNOWN', `outcome unknown: ${outcome.reason}`, {
            patch: { lastError: outcome.reason },
          }),
          waitMs: this.options.pollIntervalMs,
        };
    }
  }

  async #resolveUnknown(start: OrderIntent): Promise<Step> {
    // An operator may have ended it (see endStuckOrder) while this run waited.
    const intent = (await this.#journal.get(start.id)) ?? start;
    if (intent.state !== 'UNKNOWN') return { intent, waitMs: 0 };
    const recent: ExchangeOrder[] = [];
    const found = await this.#lookup(intent, recent);
    if (found !== null) return this.#adopt(intent, found, 'found on the exchange');
    const sentAtMs = (await this.#journal.lastSentAtMs(intent.id)) ?? intent.updatedAtMs;
    const waitedMs = this.#clock.nowMs() - sentAtMs;
    if (waitedMs < this.options.absenceGraceMs)
      return { intent, waitMs: this.options.absenceGraceMs - waitedMs };
    const trades = await this.#gateway.listTrades(intent.market);
    const suspicion = {
      knownOrderIds: await this.#journal.knownExchangeOrderIds(),
      otherOrderIds: new Set(recent.map((order) => order.id)),
      sentAtMs,
      windowMs: this.options.absenceGraceMs,
    };
    if (hasSuspiciousTrade(intent, trades, suspicion)) {
      // Never resend: the order may exist. Past verifyDeadlineMs an overdue alert asks a person.
      this.#logger.warn({ orderId: intent.id }, 'a trade on the exchange could be this order: not resending');
      return { intent, waitMs: this.#nextPollDelay(intent) };
    }
    if (intent.submitCount >= this.options.submitAttemptsMax)
      return { intent: await this.#move(intent, 'EXPIRED', 'proven absent; no resend left'), waitMs: 0 };
    const again = await this.#move(intent, 'SUBMITTING', 'proven absent after the grace period: resending', {
      patch: { submitCount: intent.submitCount + 1 },
    });
    return this.#submit(again);
  }

  /**
   * By id, then by clientOrderId among open orders, then in the list of all recent orders (which it
   * leaves in `listed` when it read it).
   */
  async #lookup(intent: OrderIntent, listed: ExchangeOrder[] = []): Promise<ExchangeOrder | null> {
    if (intent.exchangeOrderId !== null) {
      const byId = await this.#gateway.getOrderById(intent.exchangeOrderId);
      if (byId !== null) return byId;
    }
    const open = await this.#gateway.getOpenOrderByClientOrderId(intent.clientOrderId);
    if (open !== null) return open;
    listed.push(...(await this.#gateway.listRecentOrders(intent.market)));
    return listed.find((order) => order.clientOrderId === intent.clientOrderId) ?? null;
  }

  async #poll(intent: OrderIntent): Promise<Step> {
    const order = await this.#lookup(intent);
    if (order === null) return this.#vanished(intent);
    this.#missingSinceMs.delete(intent.id);
    const openForMs = this.#clock.nowMs() - intent.createdAtMs;
    if (
      stateForOrder(order) !== 'FILLED' &&
      order.status !== 'Canceled' &&
      openForMs > this.#lifetimeMs(intent)
    ) {
      const cancelled = (await this.#gateway.cancelOrder(order.id)) ?? order;
      return this.#observe(intent, cancelled, 'lifetime over: cancelled', undefined, true);
    }
    return this.#observe(intent, order, 'status poll');
  }

  /**
   * The exchange accepted this order once but no longer knows it by id, by clientOrderId or in its
   * order list. Past the grace period it ends: keep what was filled, release the rest, say why.
   */
  async #vanished(intent: OrderIntent): Promise<Step> {
    const nowMs = this.#clock.nowMs();
    const sinceMs = this.#missingSinceMs.get(intent.id) ?? nowMs;
    this.#missingSinceMs.set(intent.id, sinceMs);
    if (nowMs - sinceMs < this.options.absenceGraceMs) return { intent, waitMs: this.#nextPollDelay(intent) };
    this.#missingSinceMs.delete(intent.id);
    this.#logger.error(
      { orderId: intent.id, exchangeOrderId: intent.exchangeOrderId },
      'order vanished from the exchange',
    );
    return {
      intent: await this.#move(intent, 'EXPIRED', 'vanished: the exchange no longer knows this order', {
        patch: { lastError: 'the exchange no longer knows this order' },
      }),
      waitMs: 0,
    };
  }

  async #adopt(intent: OrderIntent, order: ExchangeOrder, cause: string, raw?: unknown): Promise<Step> {
    if (intent.state !== 'SUBMITTING' && intent.state !== 'UNKNOWN')
      return this.#observe(intent, order, cause, raw);
    // Keep the exchange's id before reading trades: should that read fail (429), the next step polls
    // the order by id instead of taking it for an order lost in a crash and asking all over again.
    const accepted = await this.#move(intent, 'ACCEPTED', cause, {
      raw,
      patch: { exchangeOrderId: order.id },
    });
    await this.#ledger?.onOpen(accepted);
    return this.#observe(accepted, order, 'status at acceptance');
  }

  /** Records new fills, then moves the order to the state its exchange status means. */
  async #observe(
    intent: OrderIntent,
    order: ExchangeOrder,
    cause: string,
    raw?: unknown,
    expired = false,
  ): Promise<Step> {
    const fillsComplete = order.matchedAmount.lte(0) || (await this.#recordFills(intent, order));
    let target = stateForOrder(order);
    if (
      target === 'FILLED' &&
      !fillsComplete &&
      this.#clock.nowMs() - intent.updatedAtMs < this.options.tradesWaitMaxMs
    )
      target = 'PARTIALLY_FILLED';
    if (expired && target === 'CANCELLED') target = 'EXPIRED';
    const patch = {
      exchangeOrderId: order.id,
      filledAmount: order.matchedAmount,
      averagePrice: order.matchedAmount.gt(0) ? order.averagePrice : null,
      fee: order.fee,
    };
    const changed = target !== intent.state || !order.matchedAmount.eq(intent.filledAmount);
    if (!changed && intent.exchangeOrderId === order.id)
      return { intent, waitMs: this.#nextPollDelay(intent) };
    const next =
      target === intent.state && target !== 'PARTIALLY_FILLED'
        ? await this.#journal.annotate(intent.id, { cause, raw, patch })
        : await this.#move(intent, intent.state === 'SUBMITTING' ? 'ACCEPTED' : target, cause, {
            raw,
            patch,
          });
    if (next.state === 'ACCEPTED' || next.state === 'PARTIALLY_FILLED') await this.#ledger?.onOpen(next);
    this.#pollDelayMs.delete(intent.id);
    // The answer already showed more than ACCEPTED (a market order filled at once): look again now.
    const behind = target !== next.state;
    return { intent: next, waitMs: isTerminal(next.state) || behind ? 0 : this.options.pollIntervalMs };
  }

  /** Records each trade of the order once; true when the trades account for the matched amount. */
  async #recordFills(intent: OrderIntent, order: ExchangeOrder): Promise<boolean> {
    const trades = tradesOf(
      { ...intent, exchangeOrderId: order.id },
      await this.#gateway.listTrades(intent.market),
    );
    for (const trade of trades) {
      const fill: OrderFill = {
        tradeId: trade.id,
        orderId: intent.id,
        amount: trade.amount,
        price: trade.price,
        total: trade.total,
        fee: trade.fee,
        feeCurrency: feeCurrencyOf(intent),
        atMs: trade.atMs,
      };
      await this.#ledger?.onFill(intent, fill);
      await this.#journal.recordFill(fill);
    }
    return sumAmounts(trades).gte(order.matchedAmount);
  }

  async #move(
    intent: OrderIntent,
    to: OrderState,
    cause: string,
    extra: { raw?: unknown; patch?: Parameters<OrderJournal['transition']>[2]['patch'] } = {},
  ): Promise<OrderIntent> {
    const next = await this.#journal.transition(intent.id, to, { cause, raw: extra.raw, patch: extra.patch });
    this.#logger.info(
      {
        orderId: intent.id,
        signalId: intent.signalId,
        from: intent.state,
        to,
        filled: formatDecimal(next.filledAmount),
      },
      cause,
    );
    this.#transitionEmitter.emit({ intent: next, from: intent.state, to, cause });
    return next;
  }

  #nextPollDelay(intent: OrderIntent): number {
    const current = this.#pollDelayMs.get(intent.id) ?? this.options.pollIntervalMs;
    this.#pollDelayMs.set(intent.id, Math.min(current * 2, this.options.pollIntervalMaxMs));
    return current;
  }
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** An operator asked to end an order that is missing or not stuck. */
export class StuckOrderError extends KeelError {
  readonly code = 'KEEL_ERR_NOT_A_STUCK_ORDER';
}
export const isStuckOrderError = (e: unknown): e is StuckOrderError =>
  isKeelError(e) && e.code === 'KEEL_ERR_NOT_A_STUCK_ORDER';
