// Goal: break durations are exact (no jitter), double per re-open, stop at the ceiling, and a fixed
// break stays fixed. Method: walk the steps.
import { describe, expect, it } from 'vitest';
import { GrowingBreakBackoff } from './break-backoff.js';

const durations = (backoff: GrowingBreakBackoff, count: number) => {
  const result: number[] = [];
  let step = backoff.next();
  for (let i = 0; i < count; i++) {
    result.push(step.duration);
    step = step.next();
  }
  return result;
};

describe('GrowingBreakBackoff', () => {
  it('doubles up to the ceiling', () => {
    expect(durations(new GrowingBreakBackoff({ delayInitialMs: 1_000, delayMaxMs: 5_000 }), 5)).toEqual([
      1_000, 2_000, 4_000, 5_000, 5_000,
    ]);
  });

  it('stays fixed when the ceiling equals the first break', () => {
    expect(durations(new GrowingBreakBackoff({ delayInitialMs: 3_000, delayMaxMs: 3_000 }), 3)).toEqual([
      3_000, 3_000, 3_000,
    ]);
  });

  it('rejects a ceiling below the first break, with the value', () => {
    expect(() => new GrowingBreakBackoff({ delayInitialMs: 3_000, delayMaxMs: 1_000 })).toThrow(
      'delayMaxMs must be finite and >= delayInitialMs 3000, was 1000',
    );
  });
});
