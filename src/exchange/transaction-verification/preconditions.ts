// Phase 1 checks: everything that can be known before the order request leaves.
// Refusals use the exchange's own codes so that a precondition and an exchange rejection read alike.
import { type Decimal, floorToStep, formatDecimal, roundHalfEvenToStep } from '../../core/decimal.js';
import type { Currency } from '../markets.js';
import type { OrderExecution, OrderSide } from '../order-journal/order-intent.js';
import type { MarketRules, WalletBalance } from './gateway.js';

/** Nobitex refuses limit prices more than 30% away from the market. */
export const PRICE_BAND_RATIO = '0.3';
/** Market orders fill within 1% of the reference price; a buy must be able to pay for that. */
export const MARKET_SLIPPAGE_RATIO = '0.01';

export interface PreconditionInput {
  readonly base: Currency;
  readonly quote: Currency;
  readonly side: OrderSide;
  readonly execution: OrderExecution;
  readonly amount: Decimal;
  readonly price: Decimal | null;
  readonly rules: MarketRules;
  readonly wallets: ReadonlyMap<Currency, WalletBalance>;
}

export type PreconditionResult =
  | {
      readonly ok: true;
      readonly amount: Decimal;
      readonly price: Decimal | null;
      readonly valueQuote: Decimal;
    }
  | { readonly ok: false; readonly code: string; readonly message: string };

export function checkPreconditions(input: PreconditionInput): PreconditionResult {
  const { rules } = input;
  if (rules.isClosed) return refuse('MarketClosed', 'the market is closed');
  const amount = floorToStep(input.amount, rules.amountStep);
  if (amount.lte(0)) return refuse('SmallOrder', `amount ${formatDecimal(input.amount)} rounds down to zero`);
  const price = input.price === null ? null : roundHalfEvenToStep(input.price, rules.priceStep);
  if (input.execution === 'limit' && (price === null || price.lte(0)))
    return refuse('InvalidOrderPrice', 'a limit order needs a positive price');
  if (price !== null && outsideBand(price, rules.lastPrice))
    return refuse(
      'BadPrice',
      `price ${formatDecimal(price)} is more than 30% from the market ${formatDecimal(rules.lastPrice)}`,
    );
  const referencePrice = price ?? rules.lastPrice;
  const valueQuote = amount.times(referencePrice);
  if (valueQuote.lt(rules.minOrderValue))
    return refuse(
      'SmallOrder',
      `order value ${formatDecimal(valueQuote)} ${input.quote} is below the minimum ${formatDecimal(rules.minOrderValue)}`,
    );
  const shortfall = balanceShortfall(input, amount, valueQuote);
  if (shortfall !== null) return refuse('OverValueOrder', shortfall);
  return { ok: true, amount, price, valueQuote };
}

function outsideBand(price: Decimal, lastPrice: Decimal): boolean {
  if (lastPrice.lte(0)) return false;
  return price.minus(lastPrice).abs().div(lastPrice).gt(PRICE_BAND_RATIO);
}

function balanceShortfall(input: PreconditionInput, amount: Decimal, valueQuote: Decimal): string | null {
  const currency = input.side === 'buy' ? input.quote : input.base;
  const wallet = input.wallets.get(currency);
  const available = wallet === undefined ? null : wallet.balance.minus(wallet.blocked);
  const needed =
    input.side === 'sell'
      ? amount
      : input.execution === 'market' && input.price === null
        ? valueQuote.plus(valueQuote.times(MARKET_SLIPPAGE_RATIO))
        : valueQuote;
  if (available?.gte(needed)) return null;
  return `needs ${formatDecimal(needed)} ${currency}, available ${available === null ? '0' : formatDecimal(available)}`;
}

const refuse = (code: string, message: string): PreconditionResult => ({ ok: false, code, message });
