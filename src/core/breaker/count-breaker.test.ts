// Goal: the count-based window opens on the failure rate over the last N calls, only after callsMin.
// Method: drive success()/failure() directly; compare with a naive reference in a property test.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CountBreaker } from './count-breaker.js';

describe('CountBreaker', () => {
  it('does not open before callsMin calls even at 100% failures', () => {
    const breaker = new CountBreaker({ threshold: 0.5, windowCallCount: 10, callsMin: 4 });
    expect([breaker.failure(0), breaker.failure(0), breaker.failure(0)]).toEqual([false, false, false]);
    expect(breaker.failure(0)).toBe(true);
  });

  it('opens when the rate reaches the threshold', () => {
    const breaker = new CountBreaker({ threshold: 0.5, windowCallCount: 4, callsMin: 4 });
    breaker.success(0);
    breaker.success(0);
    expect(breaker.failure(0)).toBe(false);
    expect(breaker.failure(0)).toBe(true);
  });

  it('slides: old failures leave the window', () => {
    const breaker = new CountBreaker({ threshold: 0.5, windowCallCount: 4, callsMin: 1 });
    breaker.reset();
    for (let i = 0; i < 4; i++) breaker.success(0);
    expect(breaker.failure(0)).toBe(false); // 1 of 4
    expect(breaker.failure(0)).toBe(true); // 2 of 4
  });

  it('matches a naive sliding-window reference', () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { maxLength: 80 }),
        fc.integer({ min: 1, max: 10 }),
        (outcomes, size) => {
          const breaker = new CountBreaker({
            threshold: 0.6,
            windowCallCount: size,
            callsMin: Math.min(3, size),
          });
          const history: boolean[] = [];
          for (const failed of outcomes) {
            history.push(failed);
            if (!failed) {
              breaker.success(0);
              continue;
            }
            const recent = history.slice(-size);
            const expected =
              recent.length >= Math.min(3, size) && recent.filter(Boolean).length / recent.length >= 0.6;
            expect(breaker.failure(0)).toBe(expected);
          }
        },
      ),
    );
  });

  it('round-trips its window, keeping the most recent calls in a smaller window', () => {
    const source = new CountBreaker({ threshold: 1, windowCallCount: 6, callsMin: 1 });
    for (const failed of [false, true, true, true, true, false])
      failed ? source.failure(0) : source.success(0);
    expect(source.toJSON()).toEqual({ kind: 'count', outcomes: [0, 1, 1, 1, 1, 0] });
    const target = new CountBreaker({ threshold: 0.5, windowCallCount: 3, callsMin: 3 });
    target.restore(source.toJSON());
    expect(target.toJSON()).toEqual({ kind: 'count', outcomes: [1, 1, 0] });
    expect(target.failure(0)).toBe(true); // window [1, 0, 1]
  });

  it('rejects a malformed snapshot', () => {
    const breaker = new CountBreaker({ threshold: 0.5 });
    expect(() => breaker.restore({ kind: 'count', outcomes: [2] })).toThrow(TypeError);
  });

  it.each([
    [{ threshold: 0 }, 'threshold must be in (0, 1], was 0'],
    [{ threshold: 1.2 }, 'threshold must be in (0, 1], was 1.2'],
    [{ threshold: 0.5, windowCallCount: 0 }, 'windowCallCount must be an integer in [1, 100000], was 0'],
    [{ threshold: 0.5, windowCallCount: 5, callsMin: 6 }, 'callsMin must be an integer in [1, 5], was 6'],
  ])('rejects options %o', (options, message) => {
    expect(() => new CountBreaker(options)).toThrow(message);
  });
});
