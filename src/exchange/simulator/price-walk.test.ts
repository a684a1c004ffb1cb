// Goal: the walk is exact, bounded per step, on the price grid, and replayable from the seed.
// Method: run many steps from fixed seeds and check every step.
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../core/decimal.js';
import { createRng } from '../../core/random.js';
import { nextWalkPrice, WALK_STEP_CENTI_BPS_MAX } from './price-walk.js';

describe('nextWalkPrice', () => {
  it('stays on the price step and within the per-step bound', () => {
    const rng = createRng(1);
    const step = new Decimal('10');
    let price = new Decimal('99750000000');
    for (let i = 0; i < 1_000; i++) {
      const next = nextWalkPrice(rng, price, step);
      expect(next.mod(step).isZero()).toBe(true);
      const bound = price.times(WALK_STEP_CENTI_BPS_MAX).div(1_000_000).plus(step);
      expect(next.minus(price).abs().lte(bound)).toBe(true);
      price = next;
    }
  });

  it('replays the same path for the same seed', () => {
    const path = (seed: number) => {
      const rng = createRng(seed);
      let price = new Decimal('3400');
      return Array.from({ length: 50 }, () => {
        price = nextWalkPrice(rng, price, new Decimal('0.01'));
        return price.toFixed();
      });
    };
    expect(path(9)).toEqual(path(9));
    expect(path(9)).not.toEqual(path(10));
  });

  it('never returns a price below one step', () => {
    const rng = createRng(2);
    let price = new Decimal('0.01');
    for (let i = 0; i < 100; i++) price = nextWalkPrice(rng, price, new Decimal('0.01'));
    expect(price.gte('0.01')).toBe(true);
  });
});
