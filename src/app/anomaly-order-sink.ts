// Feeds order progress to the anomaly detector beside the ledger: the fee rate of each fill, and per
// finished order its slippage (the average price of its fills, as the exchange reports it, against the
// quote at decision time: the market's last price the engine decided on; the limit price for orders
// journaled before that was recorded) and its filled share. Slippage is one sample per order, not per
// trade: a market order that took twenty levels of the book is one execution, and twenty samples of it
// would swamp the baseline (or be the whole warm-up) and flag twenty times.
// The ledger sink runs first and its failure propagates; the detector only watches, so its failure is logged.
import { Decimal } from '../core/decimal.js';
import type { OrderFill, OrderIntent } from '../exchange/order-journal/order-intent.js';
import type { OrderLedgerSink } from '../exchange/transaction-verification/transaction-verifier.js';
import type { Logger } from '../logging/logger.js';
import type { AnomalyDetector, Observation } from '../monitoring/anomaly/anomaly-detector.js';

/** Trade and order ids remembered so a replayed fill or finish is observed once per process. */
const SEEN_MAX = 10_000;
/** A fee this many times its last decimal or less is mostly rounding: its rate says nothing. */
const FEE_STEPS_MIN = 1_000;

export class AnomalyOrderSink implements OrderLedgerSink {
  readonly #seen = new Set<string>();

  constructor(
    private readonly inner: OrderLedgerSink,
    private readonly detector: AnomalyDetector,
    private readonly logger: Logger,
  ) {}

  onOpen(intent: OrderIntent): Promise<void> {
    return this.inner.onOpen(intent);
  }

  async onFill(intent: OrderIntent, fill: OrderFill): Promise<void> {
    await this.inner.onFill(intent, fill);
    if (!this.#firstTime(`fill:${fill.tradeId}`)) return;
    const context = { orderId: intent.id, tradeId: fill.tradeId, price: fill.price.toFixed() };
    const feeRate = rateOf(intent, fill);
    if (feeRate !== undefined) {
      const tier = this.detector.feeTierRate;
      const value =
        tier === undefined ? feeRate.times(10_000).toNumber() : feeRate.div(tier).minus(1).toNumber();
      this.#observe({
        kind: 'feeRate',
        currency: fill.feeCurrency.toLowerCase(),
        value,
        context: { ...context, fee: fill.fee.toFixed(), feeRate: feeRate.toFixed() },
      });
    }
  }

  async onFinished(intent: OrderIntent): Promise<void> {
    await this.inner.onFinished(intent);
    if (!intent.amount.gt(0) || !this.#firstTime(`finished:${intent.id}`)) return;
    const reference = slippageReference(intent);
    const average = intent.averagePrice;
    if (reference !== undefined && average?.gt(0) && intent.filledAmount.gt(0)) {
      // Basis points worse than the reference: a buy paying above it, a sell receiving below it, is positive.
      const worse = intent.side === 'buy' ? average.minus(reference.price) : reference.price.minus(average);
      this.#observe({
        kind: 'slippage',
        currency: intent.market.base,
        value: worse.div(reference.price).times(10_000).toNumber(),
        context: {
          orderId: intent.id,
          averagePrice: average.toFixed(),
          filled: intent.filledAmount.toFixed(),
          reference: reference.kind,
          referencePrice: reference.price.toFixed(),
        },
      });
    }
    this.#observe({
      kind: 'fillRatio',
      currency: intent.market.base,
      value: intent.filledAmount.div(intent.amount).toNumber(),
      context: { orderId: intent.id, filled: intent.filledAmount.toFixed(), amount: intent.amount.toFixed() },
    });
  }

  #observe(observation: Observation): void {
    this.detector.observe(observation).catch((error: unknown) => {
      this.logger.error({ err: error, kind: observation.kind }, 'anomaly detector could not observe');
    });
  }

  #firstTime(key: string): boolean {
    if (this.#seen.has(key)) return false;
    if (this.#seen.size >= SEEN_MAX) this.#seen.clear();
    this.#seen.add(key);
    return true;
  }
}

/** The decision-time quote; for orders journaled before it was recorded, the limit price (if any). */
function slippageReference(
  intent: OrderIntent,
): { readonly kind: 'quote' | 'limit'; readonly price: Decimal } | undefined {
  if (intent.decisionPrice?.gt(0)) return { kind: 'quote', price: intent.decisionPrice };
  if (intent.price?.gt(0)) return { kind: 'limit', price: intent.price };
  return undefined;
}

/** Fee over what it was charged on: the received side (base on a buy, quote on a sell). */
function rateOf(intent: OrderIntent, fill: OrderFill): Decimal | undefined {
  const received =
    fill.feeCurrency.toLowerCase() === intent.market.base.toLowerCase() ? fill.amount : fill.total;
  if (!received.gt(0) || !fill.fee.gt(0)) return undefined;
  const step = new Decimal(10).pow(-fill.fee.decimalPlaces());
  if (fill.fee.lte(step.times(FEE_STEPS_MIN))) return undefined;
  return fill.fee.div(received);
}
