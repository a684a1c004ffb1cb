// Goal: a breakerFactory (e.g. Redis-shared breakers) wraps each endpoint group's local breaker and
// every call of that group passes through the wrapper. Method: a CallPipeline with a recording
// factory; calls on two groups, counted per group.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import type { Policy, PolicyContext } from '../../core/policy.js';
import { createRng } from '../../core/random.js';
import { resolveAdapterOptions } from './adapter-options.js';
import { createAdapterRateLimiter } from './adapter-rate-limiter.js';
import { CallPipeline } from './call-pipeline.js';

describe('breakerFactory', () => {
  it('wraps every group breaker once and routes that group calls through the wrapper', async () => {
    const clock = new FakeClock();
    const options = resolveAdapterOptions();
    const calls = new Map<string, number>();
    const groups: string[] = [];
    const pipeline = new CallPipeline({
      options,
      limiter: createAdapterRateLimiter(options, clock, undefined),
      clock,
      rng: createRng(1),
      breakerFactory: (group, breaker): Policy => {
        groups.push(group);
        return {
          execute<T>(fn: (context: PolicyContext) => Promise<T> | T, signal?: AbortSignal) {
            calls.set(group, (calls.get(group) ?? 0) + 1);
            return breaker.execute(fn, signal);
          },
        };
      },
    });
    expect(groups.sort()).toEqual(['account', 'marketData', 'orders']);
    expect(await pipeline.execute('orderBook', async () => 'book')).toBe('book');
    expect(await pipeline.execute('orderBook', async () => 'book')).toBe('book');
    expect(calls.get('marketData')).toBe(2);
    expect(calls.get('orders')).toBeUndefined();
    // The local breaker still counts: its metrics saw the calls.
    expect(pipeline.breakers.get('marketData')?.metrics().state).toBe('closed');
  });
});
