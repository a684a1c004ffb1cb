// A seeded random walk on exact decimals: each step moves the price by at most `stepBpsMax` basis points.
import { Decimal, roundHalfEvenToStep } from '../../core/decimal.js';
import { type Rng, randomInt } from '../../core/random.js';

/** Largest move per tick, in hundredths of a basis point (100 = 1 bp). */
export const WALK_STEP_CENTI_BPS_MAX = 1_500;

/** Returns the next price: last × (1 + k / 1,000,000), k uniform in ±WALK_STEP_CENTI_BPS_MAX, rounded to the step. */
export function nextWalkPrice(rng: Rng, last: Decimal, priceStep: Decimal): Decimal {
  const k = randomInt(rng, -WALK_STEP_CENTI_BPS_MAX, WALK_STEP_CENTI_BPS_MAX);
  const moved = roundHalfEvenToStep(last.times(new Decimal(1_000_000 + k).div(1_000_000)), priceStep);
  return moved.gt(0) ? moved : priceStep;
}
