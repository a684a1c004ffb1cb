// Goal: the in-memory store is atomic across keys and bounded in keys and log length.
// Method: direct calls with explicit instants.
import { describe, expect, it } from 'vitest';
import { MemoryRateLimitStore } from './memory-rate-limit-store.js';
import type { RateLimitKeySpec } from './rate-limit-store.js';

const spec = (key: string, limit: number, windowMs = 1_000): RateLimitKeySpec => ({
  key,
  windows: [{ limit, windowMs }],
});

describe('MemoryRateLimitStore', () => {
  it('charges every key of a grant, or none', async () => {
    const store = new MemoryRateLimitStore();
    const a = spec('a', 5);
    const b = spec('b', 1);
    expect(await store.acquire({ keys: [a, b], weight: 1, nowMs: 0 })).toEqual({ granted: true });
    expect(await store.acquire({ keys: [a, b], weight: 1, nowMs: 10 })).toMatchObject({
      granted: false,
      blockingKey: 'b',
    });
    const states = await store.read([a, b], 10);
    expect(states.get('a')?.log).toEqual([{ atMs: 0, weight: 1 }]);
    expect(states.get('b')?.log).toEqual([{ atMs: 0, weight: 1 }]);
  });

  it('keeps each log within its limit by pruning expired grants', async () => {
    const store = new MemoryRateLimitStore();
    const a = spec('a', 3, 100);
    for (let nowMs = 0; nowMs < 10_000; nowMs += 10) await store.acquire({ keys: [a], weight: 1, nowMs });
    const log = (await store.read([a], 10_000)).get('a')?.log ?? [];
    expect(log.length).toBeLessThanOrEqual(3);
  });

  it('never lengthens nor shortens a penalty wrongly', async () => {
    const store = new MemoryRateLimitStore();
    await store.penalize({ key: 'a', untilMs: 5_000, nowMs: 0 });
    await store.penalize({ key: 'a', untilMs: 2_000, nowMs: 0 });
    expect((await store.read([spec('a', 1)], 0)).get('a')?.penaltyUntilMs).toBe(5_000);
  });

  it('drops idle keys to make room and refuses when every key holds a live budget', async () => {
    const store = new MemoryRateLimitStore({ keysMax: 2 });
    await store.acquire({ keys: [spec('a', 1, 1_000)], weight: 1, nowMs: 0 });
    await store.acquire({ keys: [spec('b', 1, 5_000)], weight: 1, nowMs: 0 });
    await expect(store.acquire({ keys: [spec('c', 1)], weight: 1, nowMs: 500 })).rejects.toThrow(
      /keysMax 2 keys hold live budgets, key 'c' refused/,
    );
    // 'a' is idle from 1_000: its grant can no longer count in any window.
    expect(await store.acquire({ keys: [spec('c', 1)], weight: 1, nowMs: 1_000 })).toEqual({ granted: true });
    expect(store.size).toBe(2);
    expect((await store.read([spec('b', 1, 5_000)], 1_000)).get('b')?.log).toHaveLength(1);
  });

  it('keeps a penalized key until its penalty ends', async () => {
    const store = new MemoryRateLimitStore({ keysMax: 1 });
    await store.penalize({ key: 'a', untilMs: 3_000, nowMs: 0 });
    await expect(store.penalize({ key: 'b', untilMs: 1, nowMs: 2_999 })).rejects.toThrow(RangeError);
    await store.penalize({ key: 'b', untilMs: 4_000, nowMs: 3_000 });
    expect(store.size).toBe(1);
  });

  it.each([0, -1, 1.5, Number.POSITIVE_INFINITY])('rejects keysMax %s', (keysMax) => {
    expect(() => new MemoryRateLimitStore({ keysMax })).toThrow(
      `keysMax must be a positive integer, was ${keysMax}`,
    );
  });
});
