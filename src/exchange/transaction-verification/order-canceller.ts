// Cancels one journaled order on the exchange and confirms the outcome by asking the exchange: a
// cancel's answer may be lost or ambiguous, so only the order's status afterwards says what happened.
// Every request and its confirmed outcome are recorded in the order's audit trail. The order's own
// verification run then sees the cancelled status, books the last fills and ends it CANCELLED.
import { type Clock, systemClock } from '../../core/clock.js';
import { type Logger, silentLogger } from '../../logging/logger.js';
import type { OrderJournal } from '../order-journal/order-journal.js';
import { isTerminal } from '../order-journal/order-state.js';
import type { ExchangeOrder, VerificationGateway } from './gateway.js';

export interface OrderCancellerOptions {
  readonly gateway: Pick<VerificationGateway, 'cancelOrder' | 'getOrderById' | 'getOpenOrderByClientOrderId'>;
  readonly journal: OrderJournal;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Status reads after the cancel request before the outcome counts as unconfirmed. Default 5. */
  readonly confirmAttemptsMax?: number;
  /** Wait between two status reads, ms. Default 500. */
  readonly confirmDelayMs?: number;
}

/**
 * cancelled: the exchange shows the order cancelled. filled: it filled before the cancel took effect.
 * ended: the journal already had it in a terminal state. notOnExchange: not (yet) known to the exchange,
 * so nothing to cancel; its verification goes on. unconfirmed: still open after every status read.
 */
export type CancelResult = 'cancelled' | 'filled' | 'ended' | 'notOnExchange' | 'unconfirmed';

export interface CancelOutcome {
  readonly orderId: string;
  readonly result: CancelResult;
  /** The exchange's status at the last read, when it was read. */
  readonly exchangeStatus?: string;
}

const DEFAULTS = { confirmAttemptsMax: 5, confirmDelayMs: 500 };

export class OrderCanceller {
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #attemptsMax: number;
  readonly #delayMs: number;

  constructor(private readonly options: OrderCancellerOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'order-canceller' });
    this.#attemptsMax = options.confirmAttemptsMax ?? DEFAULTS.confirmAttemptsMax;
    this.#delayMs = options.confirmDelayMs ?? DEFAULTS.confirmDelayMs;
    if (!Number.isInteger(this.#attemptsMax) || this.#attemptsMax < 1 || this.#attemptsMax > 100)
      throw new RangeError(`confirmAttemptsMax must be an integer in [1, 100], was ${this.#attemptsMax}`);
    if (!Number.isInteger(this.#delayMs) || this.#delayMs < 0 || this.#delayMs > 60_000)
      throw new RangeError(`confirmDelayMs must be an integer in [0, 60000], was ${this.#delayMs}`);
  }

  /** Undefined when the journal has no such order. `by` names who asked (a principal or a signal). */
  async cancel(orderId: string, by: string): Promise<CancelOutcome | undefined> {
    const { journal, gateway } = this.options;
    const intent = await journal.get(orderId);
    if (intent === undefined) return undefined;
    if (isTerminal(intent.state)) return { orderId, result: 'ended', exchangeStatus: intent.state };
    const exchangeId =
      intent.exchangeOrderId ?? (await gateway.getOpenOrderByClientOrderId(intent.clientOrderId))?.id;
    if (exchangeId === undefined) {
      await journal.annotate(orderId, {
        cause: `cancel asked by ${by}: not on the exchange yet, nothing to cancel`,
      });
      return { orderId, result: 'notOnExchange' };
    }
    await journal.annotate(orderId, { cause: `cancel asked by ${by}` });
    let answer: ExchangeOrder | null = null;
    try {
      answer = await gateway.cancelOrder(exchangeId);
    } catch (error) {
      // Ambiguous: the cancel may have reached the exchange. The status reads below tell.
      this.#logger.warn({ orderId, err: error }, 'cancel request failed; asking the exchange');
    }
    const outcome = await this.#confirm(orderId, exchangeId, answer);
    await journal.annotate(orderId, {
      cause: `cancel ${outcome.result} (exchange status ${outcome.exchangeStatus ?? 'not read'})`,
    });
    return outcome;
  }

  async #confirm(orderId: string, exchangeId: string, answer: ExchangeOrder | null): Promise<CancelOutcome> {
    let status = answer?.status;
    for (let attempt = 1; attempt <= this.#attemptsMax; attempt++) {
      try {
        const order = await this.options.gateway.getOrderById(exchangeId);
        status = order?.status ?? status;
      } catch (error) {
        this.#logger.warn({ orderId, attempt, err: error }, 'cancel confirmation read failed');
      }
      if (status === 'Canceled') return { orderId, result: 'cancelled', exchangeStatus: status };
      if (status === 'Done') return { orderId, result: 'filled', exchangeStatus: status };
      if (attempt < this.#attemptsMax) await this.#clock.sleep(this.#delayMs);
    }
    this.#logger.error({ orderId, status }, 'cancel not confirmed by the exchange');
    return { orderId, result: 'unconfirmed', ...(status === undefined ? {} : { exchangeStatus: status }) };
  }
}
