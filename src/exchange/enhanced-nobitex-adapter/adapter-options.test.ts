// Goal: options are merged over explicit defaults once, and every bad value or bad relation fails
// with a RangeError naming the field and the value. Method: resolveAdapterOptions on crafted input.
import { describe, expect, it } from 'vitest';
import { ENHANCED_ADAPTER_DEFAULTS, resolveAdapterOptions } from './adapter-options.js';

describe('resolveAdapterOptions', () => {
  it('returns the defaults, frozen, when given nothing', () => {
    const resolved = resolveAdapterOptions();
    expect(resolved).toEqual(ENHANCED_ADAPTER_DEFAULTS);
    expect(Object.isFrozen(resolved)).toBe(true);
  });

  it('merges a partial group override over the defaults of that group only', () => {
    const resolved = resolveAdapterOptions({
      breakers: { orders: { failuresMax: 2 } },
      timeoutMs: { orders: 3_000 },
    });
    expect(resolved.breakers.orders).toEqual({
      ...ENHANCED_ADAPTER_DEFAULTS.breakers.orders,
      failuresMax: 2,
    });
    expect(resolved.breakers.account).toEqual(ENHANCED_ADAPTER_DEFAULTS.breakers.account);
    expect(resolved.timeoutMs).toEqual({ orders: 3_000, account: 10_000, marketData: 10_000 });
  });

  it.each([
    [
      { breakers: { orders: { failuresMax: 0 } } },
      'breakers.orders.failuresMax must be an integer in [1, 1000], was 0',
    ],
    [
      { breakers: { account: { halfOpenProbesMax: 1.5 } } },
      'breakers.account.halfOpenProbesMax must be an integer',
    ],
    [
      { breakers: { marketData: { breakDurationMs: 10_000, breakDelayMaxMs: 5_000 } } },
      'breakers.marketData.breakDelayMaxMs must be >= breakDurationMs 10000, was 5000',
    ],
    [{ retryReads: { attemptsMax: 101 } }, 'retryReads.attemptsMax must be an integer in [1, 100], was 101'],
    [
      { retryWrites: { delayInitialMs: 500, delayMaxMs: 100 } },
      'retryWrites.delayMaxMs must be >= delayInitialMs 500',
    ],
    [{ timeoutMs: { orders: 0 } }, 'timeoutMs.orders must be a positive finite number, was 0'],
    [{ rateLimitShare: 1.3 }, 'rateLimitShare must be in (0, 1], was 1.3'],
    [{ rateLimitWaitMaxMs: -1 }, 'rateLimitWaitMaxMs must be a finite number >= 0, was -1'],
    [
      { cache: { wallets: { ttlMs: 10_000, staleMaxMs: 5_000 } } },
      'cache.wallets.staleMaxMs must be >= ttlMs 10000',
    ],
    [
      { cacheEntriesMax: Number.POSITIVE_INFINITY },
      'cacheEntriesMax must be an integer in [1, 100000], was Infinity',
    ],
  ])('rejects %j', (options, message) => {
    expect(() => resolveAdapterOptions(options)).toThrow(RangeError);
    expect(() => resolveAdapterOptions(options)).toThrow(message);
  });
});
