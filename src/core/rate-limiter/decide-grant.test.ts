// Goal: the pure sliding-log decision grants exactly what fits and names the exact wait.
// Method: hand-built logs and windows, no clock.
import { describe, expect, it } from 'vitest';
import { decideGrant, pruneLog, usedInWindow } from './decide-grant.js';
import type { RateLimitKeySpec, RateLimitKeyState } from './rate-limit-store.js';

const spec = (key: string, limit: number, windowMs: number): RateLimitKeySpec => ({
  key,
  windows: [{ limit, windowMs }],
});
const states = (entries: Record<string, RateLimitKeyState>) => new Map(Object.entries(entries));

describe('decideGrant', () => {
  it('grants when the weight fits every window of every key', () => {
    const log = [{ atMs: 900, weight: 3 }];
    const decision = decideGrant(
      { keys: [spec('a', 5, 1_000), spec('b', 2, 100)], weight: 2, nowMs: 1_000 },
      states({ a: { log, penaltyUntilMs: 0 } }),
    );
    expect(decision).toEqual({ granted: true });
  });

  it('waits until enough old weight leaves the window', () => {
    const log = [
      { atMs: 100, weight: 2 },
      { atMs: 300, weight: 2 },
      { atMs: 500, weight: 1 },
    ];
    // used 5 of 5; weight 3 needs the first two grants gone: at 300 + 1_000.
    const decision = decideGrant(
      { keys: [spec('a', 5, 1_000)], weight: 3, nowMs: 600 },
      states({ a: { log, penaltyUntilMs: 0 } }),
    );
    expect(decision).toEqual({ granted: false, retryAfterMs: 700, blockingKey: 'a', reason: 'budget' });
  });

  it('counts a grant until exactly windowMs has passed', () => {
    const log = [{ atMs: 0, weight: 1 }];
    const request = (nowMs: number) => ({ keys: [spec('a', 1, 1_000)], weight: 1, nowMs });
    const state = states({ a: { log, penaltyUntilMs: 0 } });
    expect(decideGrant(request(999), state)).toMatchObject({ granted: false, retryAfterMs: 1 });
    expect(decideGrant(request(1_000), state)).toEqual({ granted: true });
  });

  it('takes the longest wait over all keys and windows', () => {
    const keyA: RateLimitKeySpec = {
      key: 'a',
      windows: [
        { limit: 10, windowMs: 10_000 },
        { limit: 2, windowMs: 1_000 },
      ],
    };
    const decision = decideGrant(
      { keys: [keyA, spec('b', 1, 5_000)], weight: 1, nowMs: 2_000 },
      states({
        a: { log: [{ atMs: 1_500, weight: 2 }], penaltyUntilMs: 0 },
        b: { log: [{ atMs: 1_000, weight: 1 }], penaltyUntilMs: 0 },
      }),
    );
    expect(decision).toEqual({ granted: false, retryAfterMs: 4_000, blockingKey: 'b', reason: 'budget' });
  });

  it('refuses a penalized key until the penalty ends', () => {
    const state = states({ a: { log: [], penaltyUntilMs: 5_000 } });
    expect(decideGrant({ keys: [spec('a', 5, 1_000)], weight: 1, nowMs: 3_000 }, state)).toEqual({
      granted: false,
      retryAfterMs: 2_000,
      blockingKey: 'a',
      reason: 'penalty',
    });
    expect(decideGrant({ keys: [spec('a', 5, 1_000)], weight: 1, nowMs: 5_000 }, state)).toEqual({
      granted: true,
    });
  });

  it('asserts on a weight above the limit, which could never be granted', () => {
    expect(() => decideGrant({ keys: [spec('a', 2, 1_000)], weight: 3, nowMs: 0 }, new Map())).toThrow(
      /exceeds limit 2/,
    );
  });
});

describe('usedInWindow and pruneLog', () => {
  const log = [
    { atMs: 0, weight: 1 },
    { atMs: 500, weight: 2 },
    { atMs: 900, weight: 4 },
  ];
  it('sums the weight inside (now - windowMs, now]', () => {
    expect(usedInWindow(log, 1_000, 1_000)).toBe(6);
    expect(usedInWindow(log, 1_000, 999)).toBe(7);
    expect(usedInWindow(log, 200, 1_000)).toBe(4);
  });
  it('keeps only grants inside the longest window', () => {
    expect(pruneLog(log, [{ limit: 9, windowMs: 500 }], 1_000)).toEqual([{ atMs: 900, weight: 4 }]);
    expect(
      pruneLog(
        log,
        [
          { limit: 9, windowMs: 500 },
          { limit: 9, windowMs: 600 },
        ],
        1_000,
      ),
    ).toHaveLength(2);
    expect(pruneLog(log, [{ limit: 9, windowMs: 10 }], 5_000)).toEqual([]);
  });
});
