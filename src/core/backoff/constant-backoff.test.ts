// Goal: a constant backoff returns the same delay on every step and validates its option.
// Method: walk a few steps.
import { describe, expect, it } from 'vitest';
import { ConstantBackoff } from './constant-backoff.js';

describe('ConstantBackoff', () => {
  it('returns the same delay on every step', () => {
    let step = new ConstantBackoff({ delayMs: 250 }).next();
    for (let i = 0; i < 5; i++) {
      expect(step.duration).toBe(250);
      step = step.next();
    }
  });

  it('returns a new step object', () => {
    const backoff = new ConstantBackoff({ delayMs: 1 });
    expect(backoff.next()).not.toBe(backoff);
  });

  it.each([[-1], [Number.NaN], [Number.POSITIVE_INFINITY]])('rejects delayMs %d', (delayMs) => {
    expect(() => new ConstantBackoff({ delayMs })).toThrow(
      `delayMs must be a finite number >= 0, was ${delayMs}`,
    );
  });
});
