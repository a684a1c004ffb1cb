// Feeds order progress into the shadow ledger the way the exchange moves funds: a resting limit order
// blocks what it may spend; each fill spends from the block and frees what it did not need (a buy filled
// below its limit); the end of the order frees the rest. Every posting is idempotent by its key.
// Each call is a span (keel.ledger.*): the end of a signal's trace.
import { Decimal } from '../core/decimal.js';
import { inSpan } from '../core/tracing.js';
import type { OrderFill, OrderIntent } from '../exchange/order-journal/order-intent.js';
import { MARKET_SLIPPAGE_RATIO } from '../exchange/transaction-verification/preconditions.js';
import type { OrderLedgerSink } from '../exchange/transaction-verification/transaction-verifier.js';
import type { Ledger } from '../position/ledger.js';

export class LedgerOrderSink implements OrderLedgerSink {
  constructor(private readonly ledger: Ledger) {}

  onOpen(intent: OrderIntent): Promise<void> {
    return inSpan('keel.ledger.block', { ids: idsOf(intent) }, () => this.#block(intent));
  }

  onFill(intent: OrderIntent, fill: OrderFill): Promise<void> {
    const attributes = { 'keel.trade.id': fill.tradeId };
    return inSpan('keel.ledger.fill', { ids: idsOf(intent), attributes }, () => this.#postFill(intent, fill));
  }

  onFinished(intent: OrderIntent): Promise<void> {
    return inSpan('keel.ledger.release', { ids: idsOf(intent) }, () => this.#release(intent));
  }

  async #block(intent: OrderIntent): Promise<void> {
    // Stop orders block like limit orders. An OCO's two legs share one block: the ledger keeps it on the
    // stop leg, which holds it on the exchange once triggered (its fills spend it, its end frees it);
    // a take-profit fill spends the coins while the stop leg's cancel is still to be seen.
    if (intent.execution === 'market' || intent.role === 'oco') return;
    const buyPrice = blockPriceOfBuy(intent);
    if (intent.side === 'buy' && buyPrice === null) return;
    const remaining = intent.amount.minus(intent.filledAmount);
    if (remaining.lte(0)) return;
    const [asset, amount] =
      intent.side === 'buy'
        ? [intent.market.quote, remaining.times(buyPrice ?? 0)]
        : [intent.market.base, remaining];
    await this.ledger.postOrderBlocked({ orderId: intent.id, asset, amount });
  }

  async #postFill(intent: OrderIntent, fill: OrderFill): Promise<void> {
    const result = await this.ledger.postFill({
      tradeId: fill.tradeId,
      orderId: intent.id,
      signalId: intent.signalId,
      market: intent.market,
      side: intent.side,
      amount: fill.amount,
      price: fill.price,
      total: fill.total,
      fee: fill.fee,
      feeCurrency: fill.feeCurrency,
      atMs: fill.atMs,
    });
    if (!result.created || intent.side !== 'buy' || intent.price === null) return;
    // The exchange held amount × limit for this part and spent only the total: free the difference.
    const blocked = this.ledger.blockedForOrder(intent.id, intent.market.quote);
    const unused = Decimal.min(fill.amount.times(intent.price).minus(fill.total), blocked);
    if (unused.gt(0))
      await this.ledger.postOrderReleased({
        orderId: intent.id,
        seq: fillSeq(fill.tradeId),
        asset: intent.market.quote,
        amount: unused,
      });
  }

  async #release(intent: OrderIntent): Promise<void> {
    for (const asset of [intent.market.base, intent.market.quote]) {
      const blocked = this.ledger.blockedForOrder(intent.id, asset);
      if (blocked.gt(0))
        await this.ledger.postOrderReleased({ orderId: intent.id, seq: 0, asset, amount: blocked });
    }
  }
}

const idsOf = (intent: OrderIntent) => ({ signalId: intent.signalId, orderId: intent.id });

/**
 * The price a resting buy blocks quote at: its limit, or for a stop-market buy the top of the market
 * band around its stop (the exchange holds what the order could spend when it triggers).
 */
function blockPriceOfBuy(intent: OrderIntent): Decimal | null {
  if (intent.price !== null) return intent.price;
  if (intent.execution !== 'stop_market' || intent.stopPrice === null) return null;
  return intent.stopPrice.times(new Decimal(1).plus(MARKET_SLIPPAGE_RATIO));
}

/** Release keys per fill (seq 0 is the final release): stable across retries because the trade id is. */
function fillSeq(tradeId: string): number {
  const numeric = Number(tradeId);
  if (/^\d+$/.test(tradeId) && Number.isSafeInteger(numeric) && numeric < Number.MAX_SAFE_INTEGER)
    return numeric + 1;
  let hash = 7;
  for (const char of tradeId) hash = (hash * 31 + char.charCodeAt(0)) % 1_000_000_007;
  return hash + 1;
}
