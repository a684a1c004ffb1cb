// The engine: takes each durable signal from the bus, decides, hands the order to transaction
// verification, and marks the signal done when its order ends. A signal holds its symbol's queue
// while its order resolves, but at most orderHoldMaxMs: a stuck or failing order then goes on in the
// background and later signals on the symbol go ahead. Orders left open by a previous run resume in
// the background too; signals are taken at once.

import type { BusMessage, HandlerContext, MessageBus, Subscription } from '../bus/index.js';
import type { SubscribeOptions } from '../bus/subscription-options.js';
import { AssertionError } from '../core/assert.js';
import type { BulkheadStats } from '../core/bulkhead.js';
import { type Clock, systemClock } from '../core/clock.js';
import type { Decimal } from '../core/decimal.js';
import { isAbortedError } from '../core/errors.js';
import { type Disposable, EventEmitter } from '../core/events.js';
import { addTraceIds, inSpan } from '../core/tracing.js';
import type { OrderIntent } from '../exchange/order-journal/order-intent.js';
import type { OrderJournal } from '../exchange/order-journal/order-journal.js';
import { isTerminal } from '../exchange/order-journal/order-state.js';
import type { VerificationGateway } from '../exchange/transaction-verification/gateway.js';
import { STALE_CODE } from '../exchange/transaction-verification/send-guard.js';
import type { TransactionVerifier } from '../exchange/transaction-verification/transaction-verifier.js';
import { type Logger, silentLogger } from '../logging/logger.js';
import { reservedStrategyProblem } from '../market-data/signal.js';
import type { SignalStore, StoredSignal } from '../market-data/signal-store.js';
import type { Ledger } from '../position/ledger.js';
import { DEFAULT_STRATEGY } from '../position/strategy-positions.js';
import type { Queryable } from '../storage/database.js';
import { type Decision, decideOrder } from './decide-order.js';
import { isExchangeUnavailable } from './exchange-unavailable.js';
import type { KillSwitch } from './kill-switch.js';
import { ProtectionManager } from './protection/protection-manager.js';
import { OrderRateCounter, type RiskLimits } from './risk-limits.js';
import { signalStaleAtMs } from './signal-age.js';
import type { StrategyActions } from './strategy-actions.js';

export const SIGNAL_TOPIC = 'signals';

export interface SignalOutcome {
  readonly signalId: string;
  readonly state: 'executed' | 'rejected' | 'quarantined';
  readonly code?: string;
  readonly message?: string;
  readonly orderId?: string;
}

/**
 * Records a signal's outcome (its alert) so that it commits with the signal's end: inside `tx`, the
 * transaction ending the signal, when there is one (a signal ended without an order); else, `tx`
 * undefined, after that end's commit, in writes of its own. What it returns runs once it is durable.
 */
export type OutcomeRecorder = (outcome: SignalOutcome, tx?: Queryable) => Promise<() => void>;

export interface EngineOptions {
  readonly signals: SignalStore;
  readonly bus: MessageBus;
  readonly journal: OrderJournal;
  readonly verifier: TransactionVerifier;
  readonly gateway: VerificationGateway;
  readonly ledger: Ledger;
  readonly killSwitch: KillSwitch;
  readonly limits: RiskLimits;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** A signal the exchange could not be asked about for this long is refused, not traded late, ms. Default 300 000. */
  readonly exchangeWaitMaxMs?: number;
  /** A signal older than this (unless its alert says otherwise) is rejected as Stale, ms. Default 120 000. */
  readonly signalAgeMaxMs?: number;
  readonly subscribe?: SubscribeOptions;
  /**
   * Longest a signal holds its symbol's queue while its order resolves, ms; the order then goes on
   * in the background and its signal ends when it does. Default 10 000.
   */
  readonly orderHoldMaxMs?: number;
  /** An OCO's stop leg sells this many percent below its stop unless the alert set stopLimitPrice. Default 1. */
  readonly ocoStopLimitPercent?: string;
  /** Carries out `action: close` and `action: cancel`; without it such signals are refused. */
  readonly actions?: StrategyActions;
  /** Readiness gate: false until start-up recovery is done. */
  readonly setReady?: (ready: boolean, reason: string) => void;
}

/** Default of EngineOptions.orderHoldMaxMs. */
const ORDER_HOLD_MAX_MS = 10_000;

/** Delay between looks at an unreachable exchange while a signal waits, ms. */
const EXCHANGE_WAIT_MS = 1_000;
/** Symbols handled at once when every listed market is allowed (no engine.allowedSymbols). */
const SYMBOLS_CONCURRENT_DEFAULT = 16;

export class Engine {
  readonly #o: EngineOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #rate: OrderRateCounter;
  readonly #abort = new AbortController();
  readonly #runs = new Map<string, Promise<OrderIntent>>();
  #subscription: Subscription | undefined;
  readonly #outcomeEmitter = new EventEmitter<SignalOutcome>();
  readonly onSignalOutcome = this.#outcomeEmitter.addListener;
  readonly #recorders = new Set<OutcomeRecorder>();
  /** Stop-loss and take-profit orders of filled entries (issue 14). */
  readonly protection: ProtectionManager;

  constructor(options: EngineOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'engine' });
    this.#rate = new OrderRateCounter(this.#clock, Math.max(1, options.limits.maxOrdersPerMinute));
    this.protection = new ProtectionManager({
      journal: options.journal,
      verifier: options.verifier,
      gateway: options.gateway,
      drive: (intent) => void this.#verify(intent),
      // An unplaced protection is reported when an unresolved order would be: at the verify deadline.
      unresolvedAlertMs: options.verifier.options.verifyDeadlineMs,
      ...(options.ocoStopLimitPercent === undefined
        ? {}
        : { ocoStopLimitPercent: options.ocoStopLimitPercent }),
      clock: this.#clock,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
  }

  /** For the door (HaltedDoor.admit, in SignalStore's onAccepted): the signal and its bus message commit together. */
  readonly enqueue = async (tx: Queryable, stored: StoredSignal): Promise<void> => {
    await this.#o.bus.publish(
      {
        id: `signal:${stored.id}`,
        topic: SIGNAL_TOPIC,
        partitionKey: stored.signal.symbol,
        payload: { signalId: stored.id },
      },
      tx,
    );
  };

  /** After a signal's commit (of `symbol`, when known): wake the local consumer at once. */
  notify(symbol?: string): void {
    this.#o.bus.notify(SIGNAL_TOPIC, symbol);
  }

  async start(): Promise<void> {
    this.#o.setReady?.(false, 'resuming orders left open');
    const open = await this.#o.journal.listNonTerminal();
    this.#logger.info({ openOrderCount: open.length }, 'resuming open orders in the background');
    // Not awaited: one order that cannot be resolved must not keep every signal waiting.
    for (const intent of open) this.#verify(intent, { resumed: true });
    await this.protection.start();
    this.#o.setReady?.(true, '');
    // This engine is the only consumer now (one process, or the lease holder): a dead predecessor's
    // leases would otherwise stall their symbols until they expire.
    await this.#o.bus.expireLeases(SIGNAL_TOPIC);
    this.#subscription = this.#o.bus.subscribe(
      SIGNAL_TOPIC,
      (message, context) => this.#handle(message, context),
      {
        concurrencyMax: Math.max(
          4,
          (this.#o.limits.allowedSymbols?.length ?? SYMBOLS_CONCURRENT_DEFAULT) + 1,
        ),
        handlerTimeoutMs: 24 * 3_600_000,
        attemptsMax: 20,
        ...this.#o.subscribe,
      },
    );
  }

  /** Records every signal's outcome (see OutcomeRecorder) until the disposable is disposed. */
  recordOutcomes(recorder: OutcomeRecorder): Disposable {
    this.#recorders.add(recorder);
    return { dispose: () => void this.#recorders.delete(recorder) };
  }

  /** The bulkhead the signals' handlers run in (bulkheads.engine); undefined until started. */
  workStats(): BulkheadStats | undefined {
    return this.#subscription?.bulkheadStats();
  }

  /** Stops taking signals and interrupts waits; what is in flight stays journaled and resumes next start. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.#abort.abort(new Error('engine stopping'));
    await this.protection.stop();
    await this.#subscription?.stop(timeoutMs);
    await Promise.allSettled([...this.#runs.values()]);
  }

  async #handle(message: BusMessage, context: HandlerContext): Promise<void> {
    const signalId = signalIdOf(message);
    const stored = await this.#o.signals.get(signalId);
    if (stored === undefined || ['executed', 'rejected', 'quarantined'].includes(stored.state)) return;
    // The span continues the webhook's trace, carried across the bus in the stored signal.
    await inSpan(
      'keel.signal',
      {
        ids: { signalId },
        traceparent: stored.traceparent,
        attributes: { 'keel.signal.symbol': stored.signal.symbol },
      },
      () => this.#process(stored, context),
    );
  }

  async #process(stored: StoredSignal, context: HandlerContext): Promise<void> {
    const signalId = stored.id;
    const aborted = anySignal(context.signal, this.#abort.signal);
    try {
      const existing = await this.#o.journal.getBySignal(signalId);
      if (existing !== undefined) {
        await this.#drive(existing);
        return;
      }
      // Marked processing once it waits or trades; a refusal at once goes straight from received to
      // rejected (one write fewer for every refused signal).
      let processing = stored.state === 'processing';
      const markProcessing = async () => {
        if (!processing) await this.#o.signals.updateState(signalId, 'processing');
        processing = true;
      };
      const decision = await inSpan('keel.decision', {}, async (span) => {
        let decided: Decision;
        // Intake refuses the name; a signal stored before it did must not trade in that bucket either.
        const reserved = reservedStrategyProblem(stored.signal.strategy);
        if (reserved !== undefined) decided = { kind: 'refuse', code: 'StrategyReserved', message: reserved };
        else if (stored.signal.action === undefined)
          decided = await this.#decide(stored, aborted, markProcessing);
        else {
          await markProcessing(); // close and cancel act on the exchange before they decide
          decided = await this.#decideAction(stored, aborted);
        }
        span.setAttribute('keel.decision', decided.kind);
        if (decided.kind === 'refuse') span.setAttribute('keel.decision.code', decided.code);
        return decided;
      });
      if (decision.kind !== 'refuse') await markProcessing();
      await this.#act(stored, decision, context);
    } catch (error) {
      if (error instanceof AssertionError || aborted.aborted || isAbortedError(error)) throw error;
      const text = error instanceof Error ? error.message : String(error);
      this.#logger.error({ signalId, err: error }, 'signal processing failed');
      const { quarantined } = await this.#o.signals.markAttempt(signalId, text);
      if (!quarantined) throw error;
      this.#tell({ signalId, state: 'quarantined', message: text });
    }
  }

  async #act(stored: StoredSignal, decision: Decision, context: HandlerContext): Promise<void> {
    if (decision.kind === 'refuse') {
      this.#endWithMessage(context, stored.id, 'rejected', `${decision.code}: ${decision.message}`, {
        signalId: stored.id,
        state: 'rejected',
        code: decision.code,
        message: decision.message,
      });
      return;
    }
    if (decision.kind === 'noop') {
      this.#endWithMessage(context, stored.id, 'executed', decision.message, {
        signalId: stored.id,
        state: 'executed',
        message: decision.message,
      });
      return;
    }
    const { intent, created } = await inSpan('keel.order.prepare', {}, async () => {
      const prepared = await this.#o.journal.prepare(decision.input);
      addTraceIds({ orderId: prepared.intent.id });
      return prepared;
    });
    if (created) this.#rate.record();
    await this.#drive(intent);
  }

  /**
   * A signal that ends without an order ends with its bus message: its state, the message's settle and
   * its recorded outcome (alert) commit together (one commit, not three), and its outcome is told once
   * that commit is durable.
   */
  #endWithMessage(
    context: HandlerContext,
    signalId: string,
    state: 'rejected' | 'executed',
    reason: string,
    outcome: SignalOutcome,
  ): void {
    let recorded: (() => void)[] = [];
    context.settleWith({
      inTransaction: async (tx) => {
        await this.#o.signals.updateState(signalId, state, reason, tx);
        recorded = [];
        for (const recorder of this.#recorders) recorded.push(await recorder(outcome, tx));
      },
      committed: () => {
        this.#outcomeEmitter.emit(outcome);
        for (const done of recorded) done();
      },
    });
  }

  /** An outcome whose end is committed already: told now, recorded in writes of their own. */
  #tell(outcome: SignalOutcome): void {
    this.#outcomeEmitter.emit(outcome);
    for (const recorder of this.#recorders)
      recorder(outcome).then(
        (done) => done(),
        (error: unknown) =>
          this.#logger.error({ signalId: outcome.signalId, err: error }, 'could not record a signal outcome'),
      );
  }

  /** `cancel` ends with the strategy's orders cancelled; `close` then trades its own position to zero. */
  async #decideAction(stored: StoredSignal, aborted: AbortSignal): Promise<Decision> {
    const { actions } = this.#o;
    if (actions === undefined)
      return { kind: 'refuse', code: 'ActionUnsupported', message: 'close and cancel are not wired here' };
    // A late cancel could cancel orders placed after its alert: it ages out like any signal.
    const staleAtMs = signalStaleAtMs(stored.signal, this.#o.signalAgeMaxMs ?? 120_000);
    if (this.#clock.nowMs() >= staleAtMs) return staleDecision(stored, staleAtMs);
    if (stored.signal.action === 'close') {
      const verdict = await actions.prepareClose(stored);
      if (verdict.kind === 'refuse') return verdict;
      if (verdict.position.isZero())
        return { kind: 'noop', message: 'the strategy is flat: nothing to close' };
      return this.#decide(stored, aborted, async () => undefined, verdict.position);
    }
    const strategy = stored.signal.strategy ?? DEFAULT_STRATEGY;
    const market = { base: stored.signal.base, quote: stored.signal.quote };
    const outcomes = await actions.cancelOpen({ strategy, market, by: `signal ${stored.id}` });
    const text = outcomes.map((outcome) => `${outcome.orderId} ${outcome.result}`).join(', ');
    if (outcomes.some((outcome) => outcome.result === 'unconfirmed'))
      return { kind: 'refuse', code: 'CancelUnconfirmed', message: `cancel not confirmed: ${text}` };
    return {
      kind: 'noop',
      message: outcomes.length === 0 ? 'no open orders to cancel' : `cancelled: ${text}`,
    };
  }

  /** Asks the exchange until it answers; refuses the signal when it is stale or has waited too long. */
  async #decide(
    stored: StoredSignal,
    aborted: AbortSignal,
    markProcessing: () => Promise<void>,
    strategyPosition?: Decimal,
  ): Promise<Decision> {
    const waitMaxMs = this.#o.exchangeWaitMaxMs ?? 300_000;
    const staleAtMs = signalStaleAtMs(stored.signal, this.#o.signalAgeMaxMs ?? 120_000);
    for (;;) {
      if (this.#clock.nowMs() >= staleAtMs) return staleDecision(stored, staleAtMs);
      try {
        return await decideOrder(stored, {
          gateway: this.#o.gateway,
          ledger: this.#o.ledger,
          limits: this.#o.limits,
          mode: await this.#o.killSwitch.refresh(),
          ordersInLastMinute: this.#rate.count(),
          ...(strategyPosition === undefined ? {} : { position: strategyPosition }),
        });
      } catch (error) {
        if (!isExchangeUnavailable(error)) throw error;
        if (this.#clock.nowMs() - stored.receivedAtMs > waitMaxMs)
          return {
            kind: 'refuse',
            code: 'ExchangeUnavailable',
            message: 'the exchange could not be reached in time',
          };
        this.#logger.warn({ signalId: stored.id, err: error }, 'exchange unavailable: the signal waits');
        await markProcessing();
        await this.#clock.sleep(EXCHANGE_WAIT_MS, aborted);
      }
    }
  }

  /** Waits for the order's verification, at most orderHoldMaxMs; past that it goes on in the background. */
  async #drive(intent: OrderIntent): Promise<void> {
    const run = this.#verify(intent);
    const holdMs = this.#o.orderHoldMaxMs ?? ORDER_HOLD_MAX_MS;
    const hold = new AbortController();
    const timer = this.#clock.sleep(holdMs, AbortSignal.any([hold.signal, this.#abort.signal])).then(
      () => 'held' as const,
      () => 'held' as const,
    );
    const outcome = await Promise.race([run.then(() => 'done' as const), timer]);
    hold.abort();
    if (outcome === 'held' && !this.#abort.signal.aborted)
      this.#logger.warn({ orderId: intent.id, holdMs }, 'order still resolving: later signals go ahead');
  }

  /**
   * One verification run per order at a time, on the engine's own abort signal (a signal's handler
   * may return before it ends); the signal ends with its order.
   */
  #verify(intent: OrderIntent, options: { resumed: boolean } = { resumed: false }): Promise<void> {
    let run = this.#runs.get(intent.id);
    if (run === undefined) {
      run = (options.resumed ? this.#resumeInTrace(intent) : this.#o.verifier.run(intent, this.#abort.signal))
        .then(async (final) => {
          // A protective order ending says nothing about its entry's signal.
          if (isTerminal(final.state) && final.role === 'entry') await this.#finishSignal(final);
          return final;
        })
        .catch((error: unknown) => {
          if (error instanceof AssertionError) throw error; // a bug: crash, never carry on
          if (!this.#abort.signal.aborted)
            this.#logger.error({ orderId: intent.id, err: error }, 'order verification stopped');
          return intent;
        })
        .finally(() => this.#runs.delete(intent.id));
      this.#runs.set(intent.id, run);
    }
    return run.then(() => undefined);
  }

  /** An order left open by a previous run is verified in its signal's trace. */
  async #resumeInTrace(intent: OrderIntent): Promise<OrderIntent> {
    // No trace context is no reason to leave an order unverified.
    const stored = await this.#o.signals.get(intent.signalId).catch(() => undefined);
    return inSpan(
      'keel.order.resume',
      { ids: { signalId: intent.signalId }, traceparent: stored?.traceparent },
      () => this.#o.verifier.run(intent, this.#abort.signal),
    );
  }

  async #finishSignal(intent: OrderIntent): Promise<void> {
    const stored = await this.#o.signals.get(intent.signalId);
    if (stored === undefined || stored.state !== 'processing') return;
    const executed = intent.filledAmount.gt(0);
    const reason = executed
      ? undefined
      : `order ${intent.state}${intent.rejectCode ? `: ${intent.rejectCode}` : ''}`;
    await this.#o.signals.updateState(intent.signalId, executed ? 'executed' : 'rejected', reason);
    this.#tell({
      signalId: intent.signalId,
      state: executed ? 'executed' : 'rejected',
      orderId: intent.id,
      ...(intent.rejectCode === null ? {} : { code: intent.rejectCode }),
      ...(reason === undefined ? {} : { message: reason }),
    });
  }
}

/** Too old to trade: the market has moved since the alert fired. */
function staleDecision(stored: StoredSignal, staleAtMs: number): Decision {
  const ageMaxMs = staleAtMs - Math.min(stored.signal.alertAtMs, stored.signal.receivedAtMs);
  return {
    kind: 'refuse',
    code: STALE_CODE,
    message: `the signal is older than its maximum age of ${ageMaxMs} ms: not traded`,
  };
}

function signalIdOf(message: BusMessage): string {
  const payload = message.payload as { signalId?: unknown } | null;
  if (payload === null || typeof payload !== 'object' || typeof payload.signalId !== 'string')
    throw new AssertionError(`bus message ${message.id} has no signal id`);
  return payload.signalId;
}

function anySignal(...signals: AbortSignal[]): AbortSignal {
  return AbortSignal.any(signals);
}
