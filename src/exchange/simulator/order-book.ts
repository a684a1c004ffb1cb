// The synthetic book: levels around the walk price with seeded amounts. User fills consume levels
// until the next tick rebuilds the book, so a large order meets thin liquidity as on the real book.
import { Decimal, floorToStep, formatDecimal, roundHalfEvenToStep } from '../../core/decimal.js';
import { type Rng, randomInt } from '../../core/random.js';

export interface BookLevel {
  readonly price: Decimal;
  amount: Decimal;
}

export interface OrderBook {
  /** Ascending prices. */
  readonly asks: BookLevel[];
  /** Descending prices. */
  readonly bids: BookLevel[];
  readonly updatedAtMs: number;
}

/** Levels per side (Nobitex v2 showed 24). */
export const BOOK_LEVELS_PER_SIDE = 20;
/** Distance between levels and of the first level from the mid price, in 1/10,000 of the price. */
export const BOOK_LEVEL_SPACING_BPS = 5;

export interface BookSpec {
  readonly amountStep: Decimal;
  readonly priceStep: Decimal;
  readonly levelAmountMin: Decimal;
  readonly levelAmountMax: Decimal;
}

export function buildBook(rng: Rng, mid: Decimal, spec: BookSpec, nowMs: number): OrderBook {
  const asks: BookLevel[] = [];
  const bids: BookLevel[] = [];
  const stepsMin = spec.levelAmountMin.div(spec.amountStep).ceil().toNumber();
  const stepsMax = Math.max(stepsMin, spec.levelAmountMax.div(spec.amountStep).floor().toNumber());
  for (let i = 1; i <= BOOK_LEVELS_PER_SIDE; i++) {
    const offset = new Decimal(BOOK_LEVEL_SPACING_BPS * i).div(10_000);
    const askPrice = roundUpToStep(mid.times(offset.plus(1)), spec.priceStep);
    const bidPrice = floorToStep(mid.times(new Decimal(1).minus(offset)), spec.priceStep);
    asks.push({ price: askPrice, amount: spec.amountStep.times(randomInt(rng, stepsMin, stepsMax)) });
    if (bidPrice.gt(0))
      bids.push({ price: bidPrice, amount: spec.amountStep.times(randomInt(rng, stepsMin, stepsMax)) });
  }
  return { asks: dedupe(asks), bids: dedupe(bids), updatedAtMs: nowMs };
}

function roundUpToStep(value: Decimal, step: Decimal): Decimal {
  const rounded = roundHalfEvenToStep(value, step);
  return rounded.lt(value) ? rounded.plus(step) : rounded;
}

// Tiny steps relative to the price can put two levels on one price; merge them.
function dedupe(levels: BookLevel[]): BookLevel[] {
  const merged: BookLevel[] = [];
  for (const level of levels) {
    const last = merged[merged.length - 1];
    if (last?.price.eq(level.price)) last.amount = last.amount.plus(level.amount);
    else merged.push({ price: level.price, amount: level.amount });
  }
  return merged;
}

/** Levels with amount left, as Nobitex strings. */
export function bookSideJson(levels: readonly BookLevel[]): [string, string][] {
  return levels.filter((l) => l.amount.gt(0)).map((l) => [formatDecimal(l.price), formatDecimal(l.amount)]);
}

export const bestAsk = (book: OrderBook): Decimal | undefined => book.asks.find((l) => l.amount.gt(0))?.price;
export const bestBid = (book: OrderBook): Decimal | undefined => book.bids.find((l) => l.amount.gt(0))?.price;
