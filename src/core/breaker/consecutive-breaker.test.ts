// Goal: the consecutive strategy opens on the Nth failure in a row and round-trips its state.
// Method: drive success()/failure() directly.
import { describe, expect, it } from 'vitest';
import { ConsecutiveBreaker } from './consecutive-breaker.js';

describe('ConsecutiveBreaker', () => {
  it('opens after three consecutive failures', () => {
    const breaker = new ConsecutiveBreaker({ failuresMax: 3 });
    expect([breaker.failure(0), breaker.failure(0), breaker.failure(0)]).toEqual([false, false, true]);
  });

  it('starts counting again after a success', () => {
    const breaker = new ConsecutiveBreaker({ failuresMax: 2 });
    breaker.failure(0);
    breaker.success(0);
    expect(breaker.failure(0)).toBe(false);
    expect(breaker.failure(0)).toBe(true);
  });

  it('forgets failures on reset', () => {
    const breaker = new ConsecutiveBreaker({ failuresMax: 2 });
    breaker.failure(0);
    breaker.reset();
    expect(breaker.failure(0)).toBe(false);
  });

  it('restores an exported count into a new instance', () => {
    const source = new ConsecutiveBreaker({ failuresMax: 3 });
    source.failure(0);
    source.failure(0);
    const target = new ConsecutiveBreaker({ failuresMax: 3 });
    target.restore(source.toJSON());
    expect(target.failure(0)).toBe(true);
  });

  it('rejects a snapshot of another kind or with a bad field', () => {
    const breaker = new ConsecutiveBreaker();
    expect(() => breaker.restore({ kind: 'count', outcomes: [] })).toThrow(
      'expected a consecutive breaker snapshot',
    );
    expect(() => breaker.restore({ kind: 'consecutive', failureCount: -1 })).toThrow(TypeError);
  });

  it.each([[0], [1.5], [Number.NaN]])('rejects failuresMax %d', (failuresMax) => {
    expect(() => new ConsecutiveBreaker({ failuresMax })).toThrow(`failuresMax must be an integer`);
  });
});
