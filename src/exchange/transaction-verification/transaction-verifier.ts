// Three-phase transaction verification: prepare (journal PREPARED), execute (send once, classify),
// verify (confirm by id; resolve unknowns by asking; poll to a terminal state; record each fill once).
// An UNKNOWN order is only ever resent after it has been proven absent, with the same clientOrderId.

import { AssertionError } from '../../core/assert.js';
import { type Clock, systemClock } from '../../core/clock.js';
import { Decimal, formatDecimal } from '../../core/decimal.js';
import { isKeelError, KeelError } from '../../core/errors.js';
import { EventEmitter } from '../../core/events.js';
import { inSpan } from '../../core/tracing.js';
import { type Logger, silentLogger } from '../../logging/logger.js';
import { GOOD_TILL_CANCELLED, type OrderFill, type OrderIntent } from '../order-journal/order-intent.js';
import type { OrderJournal } from '../order-journal/order-journal.js';
import { isTerminal, type OrderState } from '../order-journal/order-state.js';
import type { ExchangeOrder, ExchangeTrade, PlaceOrderRequest, VerificationGateway } from './gateway.js';
import { hasSuspiciousTrade, stateForOrder } from './observe-order.js';
import { collectOrderTrades, fillOf } from './order-trades.js';
import type { PushFeed } from './push-feed.js';
import { PushIntake } from './push-intake.js';
import { type SendGuard, type SendPermit, type SendVerdict, STALE_CODE } from './send-guard.js';
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

/** The exchange says the order filled, but its trades still do not add up after tradesWaitMaxMs. */
export interface FillsIncompleteEvent {
  readonly intent: OrderIntent;
  readonly exchangeOrderId: string;
  /** Filled amount no trade accounts for yet. */
  readonly missing: Decimal;
  readonly waitedMs: number;
}

export interface TransactionVerifierOptions {
  readonly journal: OrderJournal;
  readonly gateway: VerificationGateway;
  readonly ledger?: OrderLedgerSink;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly options?: Partial<VerificationOptions>;
  /** Asked right before every placing request, first send and resend alike; default: always send. */
  readonly sendGuard?: SendGuard;
  /**
   * Pushed order events (Nobitex's WebSocket). A pushed trade is booked at once, by trade id, as a
   * polled one; a pushed order state wakes its order's step; while the link is up polls slow down to
   * pushedPollIntervalMs, and after every gap each order is asked by REST again. Default: polling only.
   */
  readonly push?: PushFeed;
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
  readonly #sendGuard: SendGuard | undefined;
  readonly #push: PushFeed | undefined;
  readonly #pushed = new PushIntake();
  /** Orders this verifier drives now: only their pushed trades are booked here (not a standby's). */
  readonly #running = new Set<string>();
  /** Trades being booked now, by trade id: a pushed and a polled copy never post twice at once. */
  readonly #booking = new Map<string, Promise<void>>();
  readonly #pollDelayMs = new Map<string, number>();
  /** When an accepted order was first missing from every lookup, per order id. */
  readonly #missingSinceMs = new Map<string, number>();
  readonly #transitionEmitter = new EventEmitter<TransitionEvent>();
  readonly #errorEmitter = new EventEmitter<{ intent: OrderIntent; error: unknown }>();
  /** When an order's filled amount was first seen without the trades to account for it, per order id. */
  readonly #tradesMissingSinceMs = new Map<string, number>();
  readonly #fillsIncompleteEmitter = new EventEmitter<FillsIncompleteEvent>();
  /** Orders whose first send the duplicate guard refused: their next send goes past the guard. */
  readonly #pastGuard = new Set<string>();
  readonly #overdueEmitter = new EventEmitter<OverdueEvent>();
  /** Orders reported overdue in this process, and since when each unresolved order has been so. */
  readonly #overdue = new Set<string>();
  readonly #unresolvedSinceMs = new Map<string, number>();
  readonly onTransition = this.#transitionEmitter.addListener;
  /** An order stayed unresolved past verifyDeadlineMs: a person must look. Once per order and process. */
  readonly onOverdue = this.#overdueEmitter.addListener;
  readonly onError = this.#errorEmitter.addListener;
  readonly onFillsIncomplete = this.#fillsIncompleteEmitter.addListener;

  constructor(options: TransactionVerifierOptions) {
    this.options = validateVerificationOptions(options.options);
    this.#journal = options.journal;
    this.#gateway = options.gateway;
    this.#ledger = options.ledger;
    this.#clock = options.clock ?? systemClock;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'transaction-verification' });
    this.#sendGuard = options.sendGuard;
    this.#push = options.push;
    this.#listenToPush(options.push);
  }

  #listenToPush(push: PushFeed | undefined): void {
    if (push === undefined) return;
    push.onTrade((trade) => {
      this.#bookPushedTrade(trade).catch((error: unknown) =>
        this.#logger.warn({ tradeId: trade.id, err: error }, 'pushed trade not booked: polling will'),
      );
    });
    push.onOrder((order) => {
      this.#pushed.noteOrder(order);
      void this.#journal.getByExchangeOrderId(order.id).then(
        (intent) => intent !== undefined && this.#pushed.wake(intent.id),
        () => undefined,
      );
    });
    push.onLink(({ up }) => {
      // Up after a gap: what was pushed meanwhile is lost, so every order asks REST now (catch-up).
      // Down: polling takes over at its own pace at once.
      if (up) this.#pushed.forgetOrders();
      this.#pushed.wakeAll();
    });
  }

  /** Books a pushed trade like a polled one; a trade of an order not yet adopted waits for it. */
  async #bookPushedTrade(trade: ExchangeTrade): Promise<void> {
    const intent = await this.#journal.getByExchangeOrderId(trade.orderId);
    if (intent === undefined) {
      this.#pushed.holdTrade(trade);
      return;
    }
    // An order no run of this process drives (finished, or led by another instance) is left to REST.
    if (isTerminal(intent.state) || !this.#running.has(intent.id)) return;
    await this.#bookFill(intent, trade);
    this.#pushed.wake(intent.id);
  }

  /** The one way a trade reaches the ledger and the journal: once per trade id, idempotent. */
  #bookFill(intent: OrderIntent, trade: ExchangeTrade): Promise<void> {
    const inFlight = this.#booking.get(trade.id);
    if (inFlight !== undefined) return inFlight;
    const booking = (async () => {
      const fill = fillOf(intent, trade);
      await this.#ledger?.onFill(intent, fill);
      await this.#journal.recordFill(fill);
    })().finally(() => this.#booking.delete(trade.id));
    this.#booking.set(trade.id, booking);
    return booking;
  }

  /** Waits delayMs, or less when a pushed event about this order (or a link change) wakes it. */
  async #wait(intent: OrderIntent, delayMs: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.#push === undefined) return this.#clock.sleep(delayMs, signal);
    const woken = new AbortController();
    const dispose = this.#pushed.onWake(intent.id, () => woken.abort());
    try {
      await this.#clock.sleep(
        delayMs,
        signal === undefined ? woken.signal : AbortSignal.any([signal, woken.signal]),
      );
    } catch (error) {
      if (signal?.aborted || !woken.signal.aborted) throw error;
    } finally {
      dispose();
    }
  }

  /** Drives one order from any state to a terminal one. Exchange errors are waited out, never fatal. */
  run(start: OrderIntent, signal?: AbortSignal): Promise<OrderIntent> {
    const ids = { signalId: start.signalId, orderId: start.id };
    return inSpan(
      'keel.verification',
      { ids, attributes: { 'keel.order.state.from': start.state } },
      async (span) => {
        const final = await this.#run(start, signal);
        span.setAttribute('keel.order.state', final.state);
        return final;
      },
    );
  }

  async #run(start: OrderIntent, signal?: AbortSignal): Promise<OrderIntent> {
    let intent = start;
    let errorDelayMs = this.options.pollIntervalMs;
    this.#running.add(start.id);
    for (let step = 0; step < VERIFY_STEPS_MAX && !isTerminal(intent.state); step++) {
      try {
        const next = await this.#tracedStep(intent);
        intent = next.intent;
        await this.#checkOverdue(intent);
        errorDelayMs = this.options.pollIntervalMs;
        if (next.waitMs > 0 && !isTerminal(intent.state)) await this.#wait(intent, next.waitMs, signal);
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
    this.#running.delete(intent.id);
    this.#pollDelayMs.delete(intent.id);
    this.#tradesMissingSinceMs.delete(intent.id);
    this.#pastGuard.delete(intent.id);
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

  /** Protective orders and good-till-cancelled entries rest until they fill or are cancelled. */
  #lifetimeMs(intent: OrderIntent): number {
    if (intent.role !== 'entry' || intent.lifetimeMs === GOOD_TILL_CANCELLED) return Number.POSITIVE_INFINITY;
    return intent.lifetimeMs ?? this.options.orderLifetimeMs;
  }

  /** One span per step: the state it started from and the one it reached. */
  #tracedStep(intent: OrderIntent): Promise<Step> {
    return inSpan(
      'keel.verification.step',
      { attributes: { 'keel.order.state.from': intent.state } },
      async (span) => {
        const next = await this.#step(intent);
        span.setAttribute('keel.order.state', next.intent.state);
        return next;
      },
    );
  }

  async #step(intent: OrderIntent): Promise<Step> {
    switch (intent.state) {
      case 'PREPARED':
        // An OCO's stop leg was placed by its pair's request: it is adopted, never sent.
        return intent.role === 'oco_stop' ? this.#adoptLeg(intent) : this.#send(intent);
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
    // A protective exit is never too old to place (it waits out a halt); an entry is.
    if (prepared.role === 'entry' && this.#clock.nowMs() - prepared.createdAtMs > this.options.sendDeadlineMs)
      return {
        intent: await this.#move(prepared, 'EXPIRED', 'not sent before the send deadline'),
        waitMs: 0,
      };
    const verdict = await this.#checkSend(prepared);
    if (verdict.kind === 'stale')
      return { intent: await this.#expireStale(prepared, verdict.reason), waitMs: 0 };
    // Held (halted, or the lease is between renewals): ask again soon; the send deadline and the
    // signal's age bound the wait.
    if (verdict.kind === 'hold') return { intent: prepared, waitMs: this.options.pollIntervalMs };
    return this.#submit(prepared, 'sending', verdict.permit);
  }

  /** The send guard's verdict; without a guard every request may leave. */
  async #checkSend(intent: OrderIntent): Promise<SendVerdict> {
    if (this.#sendGuard === undefined) return { kind: 'send', permit: UNGUARDED };
    const verdict = await this.#sendGuard.check(intent);
    if (verdict.kind === 'hold')
      this.#logger.debug({ orderId: intent.id, reason: verdict.reason }, 'placing request held');
    return verdict;
  }

  async #expireStale(intent: OrderIntent, reason: string): Promise<OrderIntent> {
    return this.#move(intent, 'EXPIRED', `not sent: ${reason}`, {
      patch: { rejectCode: STALE_CODE, lastError: reason },
    });
  }

  /** Commits SUBMITTING, then sends (the request leaves only after the commit) and classifies the answer. */
  async #submit(from: OrderIntent, cause: string, permit: SendPermit): Promise<Step> {
    try {
      const intent = await this.#move(from, 'SUBMITTING', cause, {
        patch: { submitCount: from.submitCount + 1 },
      });
      return await this.#place(intent, permit);
    } finally {
      permit.dispose();
    }
  }

  async #place(intent: OrderIntent, permit: SendPermit): Promise<Step> {
    const outcome = await this.#gateway
      .placeOrder(
        {
          market: intent.market,
          side: intent.side,
          execution: intent.execution,
          amount: intent.amount,
          price: intent.price,
          clientOrderId: intent.clientOrderId,
          pastDuplicateGuard: this.#pastGuard.delete(intent.id),
          ...stopFieldsOf(intent),
        },
        permit,
      )
      .catch((error: unknown) => ({ kind: 'unknown' as const, reason: describe(error) }));
    switch (outcome.kind) {
      case 'accepted':
        return this.#adopt(intent, outcome.order, 'exchange accepted', outcome.raw);
      case 'rejected':
        if (outcome.code === 'DuplicateOrder') return this.#duplicateGuard(intent, outcome.raw);
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

  /**
   * Nobitex's 10-second guard refused the request (reference 5.1): an identical order (same side,
   * execution, market, amount and price) was placed moments ago, by another signal or by hand, and
   * this request placed nothing. After a first send no request of this order can be that identical
   * one, so the next send goes past the guard (`pro`) at once; Keel's own idempotency is the
   * clientOrderId. After an earlier send the identical order may be this one: ask first.
   */
  async #duplicateGuard(intent: OrderIntent, raw: unknown): Promise<Step> {
    if (intent.submitCount > 1)
      return {
        intent: await this.#move(intent, 'UNKNOWN', 'DuplicateOrder after an earlier send: look it up', {
          raw,
        }),
        waitMs: 0,
      };
    this.#pastGuard.add(intent.id);
    return {
      intent: await this.#move(intent, 'PREPARED', 'DuplicateOrder: not placed; send again past the guard', {
        raw,
        patch: { submitCount: intent.submitCount - 1, lastError: 'DuplicateOrder' },
      }),
      waitMs: 0,
    };
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
      knownOrderIds: await this.#journal.knownExchangeOrderIds(trades.map((trade) => trade.orderId)),
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
    // A resend places an order like a first send: the same guard (halt as stored, age, lease).
    const verdict = await this.#checkSend(intent);
    if (verdict.kind === 'stale')
      return { intent: await this.#expireStale(intent, verdict.reason), waitMs: 0 };
    if (verdict.kind === 'hold') return this.#holdAbsent(intent, verdict.reason);
    return this.#submit(intent, 'proven absent after the grace period: resending', verdict.permit);
  }

  /**
   * Proven absent, but no request may leave now (HALTED, or the lease between renewals). An entry waits
   * UNKNOWN: its signal's maximum age ends it. A protective order never goes stale, so it would stay
   * UNKNOWN for as long as the halt lasts, its currencies counted in flight by every reconciliation:
   * it is not on the exchange, so it goes back to PREPARED and is sent (same clientOrderId) once allowed.
   */
  async #holdAbsent(intent: OrderIntent, reason: string): Promise<Step> {
    if (intent.role === 'entry') return { intent, waitMs: this.#nextPollDelay(intent) };
    return {
      intent: await this.#move(intent, 'PREPARED', `proven absent; not sent again while held: ${reason}`),
      waitMs: this.options.pollIntervalMs,
    };
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
    // A pushed state (link up) answers without a request; after a gap the intake has none: REST.
    const pushed = this.#push?.isUp() === true ? this.#pushed.takeOrder(intent) : undefined;
    const order = pushed ?? (await this.#lookup(intent));
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

  async #adoptLeg(intent: OrderIntent): Promise<Step> {
    const id = intent.exchangeOrderId;
    if (id === null) throw new AssertionError(`OCO stop leg ${intent.id} has no exchange id`);
    const accepted = await this.#move(intent, 'ACCEPTED', 'OCO stop leg, placed with its pair', {
      patch: { exchangeOrderId: id },
    });
    await this.#ledger?.onOpen(accepted);
    return { intent: accepted, waitMs: 0 };
  }

  async #adopt(intent: OrderIntent, order: ExchangeOrder, cause: string, raw?: unknown): Promise<Step> {
    if (intent.state !== 'SUBMITTING' && intent.state !== 'UNKNOWN')
      return this.#observe(intent, order, cause, raw);
    // Keep the exchange's id before reading trades: should that read fail (429), the next step polls
    // the order by id instead of taking it for an order lost in a crash and asking all over again.
    // An OCO's answer also names its stop leg: kept with it, that leg is Keel's before it is journaled.
    const accepted = await this.#move(intent, 'ACCEPTED', cause, {
      raw,
      patch: { exchangeOrderId: order.id, ...pairOf(intent, order) },
    });
    await this.#ledger?.onOpen(accepted);
    for (const trade of this.#pushed.takeTrades(order.id)) await this.#bookFill(accepted, trade);
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
    // Never end an order while its trades do not add up: its fills would never be booked.
    if (isTerminal(target) && !fillsComplete) target = 'PARTIALLY_FILLED';
    if (expired && target === 'CANCELLED') target = 'EXPIRED';
    const patch = {
      exchangeOrderId: order.id,
      ...pairOf(intent, order),
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
    return {
      intent: next,
      waitMs: isTerminal(next.state) || behind ? 0 : this.#pollPace(next, this.options.pollIntervalMs),
    };
  }

  /**
   * Records each trade of the order once (every page of the trade list); true when the trades account
   * for the matched amount. Past tradesWaitMaxMs without that, a person is told once.
   */
  async #recordFills(intent: OrderIntent, order: ExchangeOrder): Promise<boolean> {
    // Fills already booked (pushed, or an earlier look) that add up: no request needed.
    const booked = await this.#journal.fills(intent.id);
    if (booked.reduce((sum, fill) => sum.plus(fill.amount), new Decimal(0)).gte(order.matchedAmount)) {
      this.#tradesMissingSinceMs.delete(intent.id);
      return true;
    }
    const collected = await collectOrderTrades(this.#gateway, order, {
      pagesMax: this.options.tradePagesMax,
    });
    const bookedIds = new Set(booked.map((fill) => fill.tradeId));
    for (const trade of collected.trades) if (!bookedIds.has(trade.id)) await this.#bookFill(intent, trade);
    if (!collected.complete) this.#noteTradesMissing(intent, order, collected.missing);
    else this.#tradesMissingSinceMs.delete(intent.id);
    return collected.complete;
  }

  #noteTradesMissing(intent: OrderIntent, order: ExchangeOrder, missing: Decimal): void {
    const nowMs = this.#clock.nowMs();
    const sinceMs = this.#tradesMissingSinceMs.get(intent.id) ?? nowMs;
    this.#tradesMissingSinceMs.set(intent.id, sinceMs);
    const waitedMs = nowMs - sinceMs;
    this.#logger.warn(
      { orderId: intent.id, exchangeOrderId: order.id, missing: formatDecimal(missing), waitedMs },
      'filled amount not yet accounted for by trades',
    );
    if (waitedMs >= this.options.tradesWaitMaxMs)
      this.#fillsIncompleteEmitter.emit({ intent, exchangeOrderId: order.id, missing, waitedMs });
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
    return this.#pollPace(intent, current);
  }

  /**
   * While pushed events arrive, a poll of an order the exchange acknowledged is only a safety net: no
   * sooner than pushedPollIntervalMs. An UNKNOWN order keeps its pace: nothing is pushed about an
   * order that was never placed, so only asking proves it absent.
   */
  #pollPace(intent: OrderIntent, delayMs: number): number {
    const pushed = this.#push?.isUp() === true && PUSHED_STATES.has(intent.state);
    return pushed ? Math.max(delayMs, this.options.pushedPollIntervalMs) : delayMs;
  }
}

/** States of an order the exchange acknowledged: its changes are pushed while the link is up. */
const PUSHED_STATES: ReadonlySet<OrderState> = new Set(['ACCEPTED', 'PARTIALLY_FILLED']);

/** No guard configured: nothing to check, nothing to abort. */
const UNGUARDED: SendPermit = {
  signal: new AbortController().signal,
  check: async () => undefined,
  dispose: () => undefined,
};

/** What a stop order or an OCO sends besides the common fields. */
function stopFieldsOf(intent: OrderIntent): Pick<PlaceOrderRequest, 'stopPrice' | 'oco'> {
  if (intent.role === 'oco') {
    if (intent.stopPrice === null || intent.stopLimitPrice === null)
      throw new AssertionError(`OCO order ${intent.id} has no stop prices`);
    return { oco: { stopPrice: intent.stopPrice, stopLimitPrice: intent.stopLimitPrice } };
  }
  return intent.stopPrice === null ? {} : { stopPrice: intent.stopPrice };
}

/** An OCO's stop leg as its limit leg's answer names it (`pairId`); nothing for other orders. */
function pairOf(intent: OrderIntent, order: ExchangeOrder): { pairExchangeOrderId?: string } {
  const pairId = order.pairId;
  return intent.role === 'oco' && pairId !== undefined && pairId !== null
    ? { pairExchangeOrderId: pairId }
    : {};
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** An operator asked to end an order that is missing or not stuck. */
export class StuckOrderError extends KeelError {
  readonly code = 'KEEL_ERR_NOT_A_STUCK_ORDER';
}
export const isStuckOrderError = (e: unknown): e is StuckOrderError =>
  isKeelError(e) && e.code === 'KEEL_ERR_NOT_A_STUCK_ORDER';
