// Keeps each filled buy entry that asked for a stop-loss or take-profit protected on the exchange: when
// its fills grow, the protective order for the old amount is cancelled and one for the new amount is
// placed (ids derive from entry and amount, so journaling it again after a restart is harmless and it
// is placed once). Protective orders go through the same journal, verification and ledger as entries.
// A protection that cannot be placed, or that the exchange refuses or drops, raises onUnprotected; so
// does one still not confirmed on the exchange (held by a halt, or unknown) after unresolvedAlertMs.
import { AssertionError } from '../../core/assert.js';
import { type Clock, systemClock, type TimerHandle } from '../../core/clock.js';
import { type Disposable, EventEmitter } from '../../core/events.js';
import type { OrderIntent } from '../../exchange/order-journal/order-intent.js';
import type { OrderJournal } from '../../exchange/order-journal/order-journal.js';
import { isTerminal, type OrderState } from '../../exchange/order-journal/order-state.js';
import type { VerificationGateway } from '../../exchange/transaction-verification/gateway.js';
import type { TransactionVerifier } from '../../exchange/transaction-verification/transaction-verifier.js';
import { type Logger, silentLogger } from '../../logging/logger.js';
import { type ProtectionPlan, planProtection } from './protection-plan.js';

export interface ProtectionManagerOptions {
  readonly journal: OrderJournal;
  readonly verifier: Pick<TransactionVerifier, 'onTransition'>;
  readonly gateway: Pick<VerificationGateway, 'getMarketRules' | 'getOrderById' | 'cancelOrder'>;
  /** Runs an order's verification to its end (one run per order at a time). */
  readonly drive: (intent: OrderIntent) => void;
  /**
   * A protective order not yet on the exchange this long after it was prepared (held while HALTED,
   * or its placing unknown) reports its entry unprotected, ms. Default PROTECTION_UNRESOLVED_ALERT_MS.
   */
  readonly unresolvedAlertMs?: number;
  /** An OCO's stop leg sells this many percent below its stop unless the alert set stopLimitPrice. */
  readonly ocoStopLimitPercent?: string;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/** A filled entry without the protection it asked for: a person must act. */
export interface UnprotectedEvent {
  readonly entry: OrderIntent;
  readonly reason: string;
}

/** Entries this recent are checked at start-up (a protection ends long before), ms. */
export const PROTECTION_RESUME_WINDOW_MS = 7 * 86_400_000;
/** Looks at one entry after a failure (the exchange unreachable) are this far apart, ms. */
export const PROTECTION_RETRY_DELAY_MS = 5_000;
/** Entries whose last report is remembered (so each reason is reported once); the oldest is forgotten. */
export const REPORTED_ENTRIES_MAX = 10_000;
/** Failed looks at one entry before it is reported unprotected (then it still retries). */
export const PROTECTION_ATTEMPTS_MAX = 12;
/** Default of unresolvedAlertMs: the verifier's default verifyDeadlineMs. */
export const PROTECTION_UNRESOLVED_ALERT_MS = 120_000;

/** A protective order in these states is not (yet) known to be on the exchange. */
const NOT_PLACED: ReadonlySet<OrderState> = new Set(['PREPARED', 'SUBMITTING', 'UNKNOWN']);

export class ProtectionManager {
  readonly #o: ProtectionManagerOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #abort = new AbortController();
  /** One look at a time per entry: the tail of its chain. */
  readonly #chains = new Map<string, Promise<void>>();
  /** Entries reported unprotected in this process, with the reason: each reason once. */
  readonly #reported = new Map<string, string>();
  /** Looks due when an entry's protective order has been unresolved for unresolvedAlertMs. */
  readonly #lookLater = new Map<string, TimerHandle>();
  readonly #unresolvedAlertMs: number;
  readonly #unprotectedEmitter = new EventEmitter<UnprotectedEvent>();
  readonly onUnprotected = this.#unprotectedEmitter.addListener;
  #listener: Disposable | undefined;

  constructor(options: ProtectionManagerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'protection' });
    this.#unresolvedAlertMs = options.unresolvedAlertMs ?? PROTECTION_UNRESOLVED_ALERT_MS;
    if (!Number.isSafeInteger(this.#unresolvedAlertMs) || this.#unresolvedAlertMs < 0)
      throw new RangeError(`unresolvedAlertMs must be an integer >= 0, was ${this.#unresolvedAlertMs}`);
  }

  /** Follows order transitions, and looks again at every recent protected entry (after a restart). */
  async start(): Promise<void> {
    this.#listener = this.#o.verifier.onTransition(({ intent, to }) => {
      if (intent.role === 'entry') {
        if (intent.protection !== null && intent.filledAmount.gt(0)) this.#schedule(intent.id);
      } else if (intent.parentOrderId !== null && (to === 'ACCEPTED' || isTerminal(to)))
        this.#schedule(intent.parentOrderId);
    });
    const sinceMs = this.#clock.nowMs() - PROTECTION_RESUME_WINDOW_MS;
    for (const entry of await this.#o.journal.protectedEntries(sinceMs)) this.#schedule(entry.id);
  }

  async stop(): Promise<void> {
    this.#listener?.dispose();
    this.#abort.abort(new Error('protection stopping'));
    for (const timer of this.#lookLater.values()) this.#clock.clearTimeout(timer);
    this.#lookLater.clear();
    await Promise.allSettled([...this.#chains.values()]);
  }

  /**
   * For closing a position on purpose (`action: close`): the entry's exits are withdrawn in the journal
   * (no alert, no new protection, also after a restart), then its open protective orders are cancelled
   * on the exchange (cancelling one OCO leg cancels both). Their verification records the cancels.
   */
  async withdraw(entryId: string, reason: string): Promise<void> {
    await this.#enqueue(entryId, async () => {
      await this.#o.journal.withdrawProtection(entryId, `protection withdrawn: ${reason}`);
      await this.#cancelLive(entryId);
    });
  }

  /** Settles when every look scheduled so far has ended (tests). */
  async idle(): Promise<void> {
    while (this.#chains.size > 0) await Promise.allSettled([...this.#chains.values()]);
  }

  #schedule(entryId: string): void {
    void this.#enqueue(entryId, () => this.#withRetries(entryId)).catch((error: unknown) => {
      if (error instanceof AssertionError) throw error;
    });
  }

  /** Runs `work` after every earlier look at this entry; its failure does not block later ones. */
  #enqueue(entryId: string, work: () => Promise<void>): Promise<void> {
    const previous = this.#chains.get(entryId) ?? Promise.resolve();
    const next = previous.then(work);
    const tail = next
      .catch(() => undefined)
      .finally(() => {
        if (this.#chains.get(entryId) === tail) this.#chains.delete(entryId);
      });
    this.#chains.set(entryId, tail);
    return next;
  }

  /** Cancels the entry's open protective orders (an OCO through its limit leg). */
  async #cancelLive(entryId: string): Promise<void> {
    const rows = await this.#o.journal.protectiveOrders(entryId);
    await this.#cancel(rows.filter((row) => !isTerminal(row.state) && row.role !== 'oco_stop'));
  }

  async #withRetries(entryId: string): Promise<void> {
    for (let attempt = 1; !this.#abort.signal.aborted; attempt++) {
      try {
        await this.#reconcile(entryId);
        return;
      } catch (error) {
        if (error instanceof AssertionError) throw error;
        this.#logger.warn({ entryId, attempt, err: error }, 'protection check failed: trying again');
        if (attempt === PROTECTION_ATTEMPTS_MAX) {
          const entry = await this.#o.journal.get(entryId).catch(() => undefined);
          if (entry !== undefined)
            this.#unprotected(entry, `cannot check its protection: ${describe(error)}`);
        }
        await this.#clock.sleep(PROTECTION_RETRY_DELAY_MS, this.#abort.signal).catch(() => undefined);
      }
    }
  }

  async #reconcile(entryId: string): Promise<void> {
    const entry = await this.#o.journal.get(entryId);
    if (entry === undefined || entry.role !== 'entry') return;
    // Withdrawn (closed on purpose): a protective order that resolved since then is cancelled too.
    if (entry.protection === null) return this.#cancelLive(entry.id);
    if (entry.filledAmount.lte(0)) return;
    const rows = await this.#o.journal.protectiveOrders(entry.id);
    // An exit traded: the position is being closed, never protect it again.
    if (rows.some((row) => row.filledAmount.gt(0))) return;
    const rules = await this.#o.gateway.getMarketRules(entry.market);
    const plan = planProtection(entry, rules, this.#o.ocoStopLimitPercent);
    if (plan.kind === 'impossible') return this.#unprotected(entry, plan.reason);
    const current = rows.find((row) => row.id === plan.primary.id);
    const outdated = rows.filter(
      (row) => !isTerminal(row.state) && row.id !== plan.primary.id && row.id !== plan.stopLeg?.id,
    );
    // The old amount's order must end before the new one can sell the same coins.
    if (outdated.length > 0) return this.#cancel(outdated);
    if (current === undefined) {
      const { intent } = await this.#o.journal.prepare(plan.primary);
      this.#logger.info({ entryId, orderId: intent.id, role: intent.role }, 'placing protection');
      this.#o.drive(intent);
      this.#lookAgainIn(entry.id, this.#unresolvedAlertMs);
      return;
    }
    if (NOT_PLACED.has(current.state)) {
      this.#checkUnresolved(entry, current);
      return;
    }
    // A leg journaled just now is live: the pair is not "cancelled without a trade" (its stop triggered).
    const journaled =
      current.role === 'oco' && current.exchangeOrderId !== null
        ? await this.#journalStopLeg(entry, current, plan, rows)
        : undefined;
    const leg = journaled ?? rows.find((row) => row.id === plan.stopLeg?.id);
    if (current.state === 'REJECTED' || current.state === 'EXPIRED')
      this.#unprotected(
        entry,
        `the exchange did not take its protective order: ${current.rejectCode ?? current.lastError ?? current.state}`,
      );
    else if (current.state === 'CANCELLED' && (leg === undefined || isTerminal(leg.state)))
      this.#unprotected(entry, 'its protective order was cancelled without a trade');
  }

  /**
   * The protective order is not known to be on the exchange yet: its verification resolves it (asks
   * the exchange, sends once allowed); past unresolvedAlertMs the position counts as unprotected.
   */
  #checkUnresolved(entry: OrderIntent, current: OrderIntent): void {
    const unresolvedForMs = this.#clock.nowMs() - current.createdAtMs;
    if (unresolvedForMs < this.#unresolvedAlertMs) {
      this.#lookAgainIn(entry.id, this.#unresolvedAlertMs - unresolvedForMs);
      return;
    }
    this.#unprotected(
      entry,
      `its protective order ${current.id} is not confirmed on the exchange ${Math.round(this.#unresolvedAlertMs / 1_000)} s after it was prepared (held while HALTED, or its placing unknown)`,
    );
  }

  /** One look at the entry after delayMs (an earlier pending one is replaced). */
  #lookAgainIn(entryId: string, delayMs: number): void {
    if (this.#abort.signal.aborted) return;
    const pending = this.#lookLater.get(entryId);
    if (pending !== undefined) this.#clock.clearTimeout(pending);
    const timer = this.#clock.setTimeout(() => {
      if (this.#lookLater.get(entryId) === timer) this.#lookLater.delete(entryId);
      if (!this.#abort.signal.aborted) this.#schedule(entryId);
    }, delayMs);
    this.#lookLater.set(entryId, timer);
  }

  /** Journals an OCO's stop leg, which its pair's request placed, and follows it. */
  async #journalStopLeg(
    entry: OrderIntent,
    current: OrderIntent,
    plan: Extract<ProtectionPlan, { kind: 'place' }>,
    rows: readonly OrderIntent[],
  ): Promise<OrderIntent | undefined> {
    const stopLeg = plan.stopLeg;
    if (stopLeg === undefined || current.exchangeOrderId === null) return undefined;
    if (rows.some((row) => row.id === stopLeg.id)) return undefined;
    const order = await this.#o.gateway.getOrderById(current.exchangeOrderId);
    const pairId = order?.pairId;
    if (pairId === undefined || pairId === null) {
      this.#unprotected(entry, `the exchange shows no stop leg for OCO order ${current.exchangeOrderId}`);
      return undefined;
    }
    const stopPrice = current.stopPrice;
    const stopLimitPrice = current.stopLimitPrice;
    if (stopPrice === null || stopLimitPrice === null)
      throw new AssertionError(`OCO order ${current.id} has no stop prices`);
    const { intent } = await this.#o.journal.prepare({
      ...stopLeg,
      signalId: entry.signalId,
      market: entry.market,
      side: 'sell',
      execution: 'stop_limit',
      amount: current.amount,
      price: stopLimitPrice,
      stopPrice,
      role: 'oco_stop',
      parentOrderId: entry.id,
      exchangeOrderId: pairId,
      cause: `stop leg of OCO ${current.id}`,
    });
    this.#o.drive(intent);
    return intent;
  }

  async #cancel(outdated: readonly OrderIntent[]): Promise<void> {
    for (const row of outdated) {
      // Not yet resolved (being sent, or unknown): it is looked at again when it resolves.
      if (row.exchangeOrderId === null || (row.state !== 'ACCEPTED' && row.state !== 'PARTIALLY_FILLED'))
        continue;
      this.#logger.info({ orderId: row.id }, 'cancelling a protective order for an outdated amount');
      await this.#o.gateway.cancelOrder(row.exchangeOrderId);
      // Its verification sees the cancel at its next poll; drive it now so that this comes soon.
      this.#o.drive(row);
    }
  }

  #unprotected(entry: OrderIntent, reason: string): void {
    if (this.#reported.get(entry.id) === reason) return;
    this.#reported.delete(entry.id);
    this.#reported.set(entry.id, reason);
    if (this.#reported.size > REPORTED_ENTRIES_MAX) {
      const oldest = this.#reported.keys().next().value;
      if (oldest !== undefined) this.#reported.delete(oldest);
    }
    this.#logger.error({ entryId: entry.id, signalId: entry.signalId, reason }, 'position unprotected');
    this.#unprotectedEmitter.emit({ entry, reason });
  }
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));
