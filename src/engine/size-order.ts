// Turns a signal's size (base amount, quote value, percent of balance, target position) into a side and
// a base amount. Pure and exact: decimals only.
import { Decimal, parseDecimal } from '../core/decimal.js';
import type { Currency } from '../exchange/markets.js';
import type { Signal } from '../market-data/signal.js';

export interface SizingContext {
  /** The limit price, or the market's last price for a market order; quote per base. */
  readonly referencePrice: Decimal;
  /** Available (not blocked) balance of a currency. */
  readonly available: (currency: Currency) => Decimal;
  /** The current base position in this market, for target-position signals. */
  readonly position: Decimal;
}

export type SizingResult =
  | { readonly kind: 'order'; readonly side: 'buy' | 'sell'; readonly amount: Decimal }
  | { readonly kind: 'noop'; readonly reason: string }
  | { readonly kind: 'invalid'; readonly reason: string };

const HUNDRED = new Decimal(100);

export function sizeOrder(signal: Signal, context: SizingContext): SizingResult {
  const { size } = signal;
  if (context.referencePrice.lte(0)) return { kind: 'invalid', reason: 'no reference price for the market' };
  switch (size.kind) {
    case 'base':
      return order(signal.side, parseDecimal(size.amount, 'size.amount'));
    case 'quote':
      return order(signal.side, parseDecimal(size.value, 'size.value').div(context.referencePrice));
    case 'percent': {
      if (signal.side === undefined) return { kind: 'invalid', reason: 'a percent size needs a side' };
      const share = parseDecimal(size.percent, 'size.percent').div(HUNDRED);
      if (signal.side === 'sell') return order('sell', context.available(signal.base).times(share));
      return order('buy', context.available(signal.quote).times(share).div(context.referencePrice));
    }
    case 'target': {
      // Spot cannot go short: a negative target means flat.
      const target = Decimal.max(parseDecimal(size.position, 'size.position'), 0);
      const delta = target.minus(context.position);
      if (delta.isZero()) return { kind: 'noop', reason: 'already at the target position' };
      return order(delta.gt(0) ? 'buy' : 'sell', delta.abs());
    }
  }
}

function order(side: 'buy' | 'sell' | undefined, amount: Decimal): SizingResult {
  if (side === undefined) return { kind: 'invalid', reason: 'the signal has no side' };
  if (amount.lte(0)) return { kind: 'invalid', reason: 'the order amount is zero' };
  return { kind: 'order', side, amount };
}
