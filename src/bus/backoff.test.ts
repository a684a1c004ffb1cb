// Goal: the retry delay grows per attempt and stays within its bounds. Method: direct calls.
import { describe, expect, it } from 'vitest';
import { exponentialBackoff } from './backoff.js';

describe('exponentialBackoff', () => {
  it('doubles from delayInitialMs and stops growing at delayMaxMs', () => {
    const backoff = exponentialBackoff({ delayInitialMs: 100, delayMaxMs: 1_000 });
    expect([1, 2, 3, 4, 5, 50].map(backoff)).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('rejects bounds that cannot hold, naming the value', () => {
    expect(() => exponentialBackoff({ delayInitialMs: 500, delayMaxMs: 100 })).toThrow('was 100');
    expect(() => exponentialBackoff({ delayMaxMs: Number.POSITIVE_INFINITY })).toThrow('was Infinity');
    expect(() => exponentialBackoff({ factor: 0.5 })).toThrow('factor must be finite and >= 1, was 0.5');
  });
});
