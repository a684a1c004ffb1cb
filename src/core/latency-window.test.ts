// Goal: the latency ring keeps only the most recent samples and reports nearest-rank percentiles.
// Method: record known sequences, compare with hand-computed values and a sorted reference.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatencyWindow } from './latency-window.js';

describe('LatencyWindow', () => {
  it('reports zeros when empty', () => {
    expect(new LatencyWindow(4).snapshot()).toEqual({
      sampleCount: 0,
      p50Ms: 0,
      p90Ms: 0,
      p99Ms: 0,
      maxMs: 0,
    });
  });

  it('computes nearest-rank percentiles over 1..100', () => {
    const window = new LatencyWindow(100);
    for (let ms = 100; ms >= 1; ms--) window.record(ms);
    expect(window.snapshot()).toEqual({ sampleCount: 100, p50Ms: 50, p90Ms: 90, p99Ms: 99, maxMs: 100 });
  });

  it('forgets the oldest samples once full', () => {
    const window = new LatencyWindow(3);
    for (const ms of [1_000, 1, 2, 3]) window.record(ms);
    expect(window.snapshot().maxMs).toBe(3);
    expect(window.sampleCount).toBe(3);
  });

  it('clear() empties the window', () => {
    const window = new LatencyWindow(3);
    window.record(5);
    window.clear();
    expect(window.snapshot().sampleCount).toBe(0);
  });

  it('matches a sorted reference of the last N samples', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.nat({ max: 10_000 }), { maxLength: 60 }),
        (size, all) => {
          const window = new LatencyWindow(size);
          for (const ms of all) window.record(ms);
          const recent = all.slice(-size).sort((a, b) => a - b);
          const at = (q: number) =>
            recent.length === 0 ? 0 : recent[Math.max(1, Math.ceil(q * recent.length)) - 1];
          const snapshot = window.snapshot();
          expect(snapshot.p50Ms).toBe(at(0.5));
          expect(snapshot.p99Ms).toBe(at(0.99));
          expect(snapshot.maxMs).toBe(recent.at(-1) ?? 0);
        },
      ),
    );
  });

  it.each([[0], [1.5], [2_000_000]])('rejects sampleCountMax %d', (size) => {
    expect(() => new LatencyWindow(size)).toThrow(`was ${size}`);
  });

  it('rejects a negative or non-finite duration', () => {
    const window = new LatencyWindow(2);
    expect(() => window.record(-1)).toThrow('durationMs must be a finite number >= 0, was -1');
    expect(() => window.record(Number.NaN)).toThrow(RangeError);
  });
});
