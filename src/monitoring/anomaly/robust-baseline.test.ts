// The robust baseline on synthetic series: a sudden change flags at once, a slow same-signed drift flags
// once it adds up (long before a fixed tolerance), and noise around a learned level stays quiet.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../core/random.js';
import {
  type BaselineSpec,
  type BaselineState,
  type BaselineThresholds,
  EMPTY_BASELINE,
  restoreBaseline,
  scoreSample,
} from './robust-baseline.js';

const thresholds: BaselineThresholds = {
  ewmaAlpha: 0.05,
  warmupCount: 20,
  spikeScore: 8,
  leakScore: 6,
  cusumHalfLifeMs: 24 * 3_600_000,
};
const zero: BaselineSpec = { baseline: 'zero', scaleFloor: 0.05, slack: 0, harmful: 'both' };
const learned: BaselineSpec = { baseline: 'learned', scaleFloor: 1, slack: 0.5, harmful: 'both' };
/** Like slippage: only a deviation above the baseline (worse than the quote) is harmful. */
const highHarms: BaselineSpec = { ...learned, harmful: 'high' };

function run(spec: BaselineSpec, values: readonly number[], state: BaselineState = EMPTY_BASELINE) {
  const flags: { index: number; flag: string }[] = [];
  for (const [index, value] of values.entries()) {
    const scored = scoreSample(state, spec, thresholds, { value, atMs: index * 60_000 });
    state = scored.state;
    if (scored.flag !== undefined) flags.push({ index, flag: scored.flag });
  }
  return { flags, state };
}

describe('scoreSample', () => {
  it('flags a difference of half the tolerance at once on a zero baseline', () => {
    const { flags } = run(zero, [0, 0, 0, 0.5]);
    expect(flags).toEqual([{ index: 3, flag: 'spike' }]);
  });

  it('flags a steady leak of 1/60 of the tolerance per run before a third of the tolerance has leaked', () => {
    const { flags } = run(
      zero,
      Array.from({ length: 60 }, () => 1 / 60),
    );
    expect(flags[0]?.flag).toBe('leak');
    expect((flags[0]?.index ?? 99) + 1).toBeLessThanOrEqual(20); // 20 runs = 1/3 of the tolerance
  });

  it('stays quiet on zeros and on a leak that changes sign', () => {
    expect(
      run(
        zero,
        Array.from({ length: 500 }, () => 0),
      ).flags,
    ).toEqual([]);
    expect(
      run(
        zero,
        Array.from({ length: 500 }, (_, i) => (i % 2 === 0 ? 0.02 : -0.02)),
      ).flags,
    ).toEqual([]);
  });

  it('does not flag noise around a learned level, and flags a jump after warm-up', () => {
    const rng = createRng(7);
    const noise = Array.from({ length: 300 }, () => 20 + (rng.next() - 0.5) * 4);
    const quiet = run(learned, noise);
    expect(quiet.flags).toEqual([]);
    expect(run(learned, [60], quiet.state).flags).toEqual([{ index: 0, flag: 'spike' }]);
  });

  it('flags only the harmful side: a jump below a high-harm baseline is neither flagged nor learned', () => {
    const rng = createRng(11);
    const noise = Array.from({ length: 100 }, () => 5 + (rng.next() - 0.5) * 2);
    const quiet = run(highHarms, noise);
    expect(quiet.flags).toEqual([]);
    // Twenty fills far better than the quote (a price that moved the trader's way): no flag, and the
    // baseline stays where it was, so the next ordinary sample is not taken for a spike.
    const better = run(
      highHarms,
      Array.from({ length: 20 }, () => -400),
      quiet.state,
    );
    expect(better.flags).toEqual([]);
    expect(better.state.mean).toBeCloseTo(quiet.state.mean, 6);
    expect(run(highHarms, [5], better.state).flags).toEqual([]);
    // The same jump on the harmful side flags, and so does the same pair of series with `both`.
    expect(run(highHarms, [415], quiet.state).flags).toEqual([{ index: 0, flag: 'spike' }]);
    expect(run(learned, [-400], run(learned, noise).state).flags).toEqual([{ index: 0, flag: 'spike' }]);
  });

  it('sums only harmful drift into a leak', () => {
    const rng = createRng(13);
    const noise = Array.from({ length: 100 }, () => 5 + (rng.next() - 0.5) * 2);
    const warm = run(highHarms, noise).state;
    const drift = (sign: number) => Array.from({ length: 60 }, () => 5 + sign * 4);
    expect(run(highHarms, drift(-1), warm).flags).toEqual([]);
    expect(run(highHarms, drift(+1), warm).flags[0]?.flag).toBe('leak');
    expect(run({ ...learned, harmful: 'low' }, drift(-1), warm).flags[0]?.flag).toBe('leak');
  });

  it('never flags before warm-up on a learned baseline', () => {
    expect(run(learned, [1, 100, 1, 100, 1]).flags).toEqual([]);
  });

  it('restores a stored state and refuses a corrupt one', () => {
    const { state } = run(zero, [0.01, 0.02]);
    expect(restoreBaseline(JSON.parse(JSON.stringify(state)))).toEqual(state);
    expect(restoreBaseline({ ...state, mad: -1 })).toEqual(EMPTY_BASELINE);
    expect(restoreBaseline('x')).toEqual(EMPTY_BASELINE);
  });
});
