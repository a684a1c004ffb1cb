// Goal: the cache serves fresh values, evicts by LRU, shares one load per key, serves stale
// values (with their age) when the source is down, and keeps invalidation exact.
// Method: FakeClock, loaders held open by deferred promises, events recorded.
import { describe, expect, it } from 'vitest';
import { Cache } from './cache.js';
import { FakeClock } from './clock.js';
import { CircuitOpenError, isAbortedError, isCircuitOpenError } from './errors.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function setup(options: ConstructorParameters<typeof Cache>[0] = {}) {
  const clock = new FakeClock(0);
  const cache = new Cache<string>({ ttlMs: 1_000, staleMaxMs: 5_000, clock, ...options });
  return { clock, cache };
}

const fail = (error: unknown) => () => Promise.reject(error);

describe('Cache', () => {
  it('loads on a miss, then serves the cached value with its age until ttlMs', async () => {
    const { clock, cache } = setup();
    let loads = 0;
    const loader = async () => `v${++loads}`;
    expect(await cache.getOrLoad('k', loader)).toEqual({ value: 'v1', source: 'loader', ageMs: 0 });
    await clock.advance(999);
    expect(await cache.getOrLoad('k', loader)).toEqual({ value: 'v1', source: 'cache', ageMs: 999 });
    await clock.advance(1);
    expect(await cache.getOrLoad('k', loader)).toEqual({ value: 'v2', source: 'loader', ageMs: 0 });
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 2, size: 1 });
  });

  it('shares one loader call between concurrent callers of a key', async () => {
    const { cache } = setup();
    const gate = deferred<string>();
    let calls = 0;
    const loader = () => {
      calls++;
      return gate.promise;
    };
    const results = [
      cache.getOrLoad('k', loader),
      cache.getOrLoad('k', loader),
      cache.getOrLoad('other', async () => 'o'),
    ];
    expect(cache.stats().loading).toBe(2);
    gate.resolve('shared');
    const [first, second, other] = await Promise.all(results);
    expect(calls).toBe(1);
    expect(first?.value).toBe('shared');
    expect(second?.value).toBe('shared');
    expect(other?.value).toBe('o');
    expect(cache.stats().loading).toBe(0);
  });

  it('shares a failure too, and does not cache it', async () => {
    const { cache } = setup();
    const gate = deferred<string>();
    const both = [cache.getOrLoad('k', () => gate.promise), cache.getOrLoad('k', () => gate.promise)];
    gate.reject(new Error('down'));
    for (const result of both) await expect(result).rejects.toThrow('down');
    expect(await cache.getOrLoad('k', async () => 'up')).toMatchObject({ value: 'up', source: 'loader' });
    expect(cache.stats().loadFailures).toBe(1);
  });

  it('serves an expired value marked stale when the load fails', async () => {
    const { clock, cache } = setup();
    const stale: number[] = [];
    cache.onStale((event) => stale.push(event.ageMs));
    await cache.getOrLoad('k', async () => 'old');
    await clock.advance(3_000);
    expect(await cache.getOrLoad('k', fail(new Error('500')))).toEqual({
      value: 'old',
      source: 'stale',
      ageMs: 3_000,
    });
    expect(stale).toEqual([3_000]);
    expect(cache.stats().stale).toBe(1);
  });

  it('rethrows when the expired value is older than staleMaxMs, and drops it', async () => {
    const { clock, cache } = setup();
    const evictions: string[] = [];
    cache.onEvict((event) => evictions.push(`${event.key}:${event.reason}`));
    await cache.getOrLoad('k', async () => 'old');
    await clock.advance(5_000);
    await expect(cache.getOrLoad('k', fail(new Error('500')))).rejects.toThrow('500');
    expect(evictions).toEqual(['k:expired']);
    expect(cache.stats().size).toBe(0);
  });

  it('serves stale only for errors isSourceDown accepts', async () => {
    const { clock, cache } = setup({ isSourceDown: isCircuitOpenError });
    await cache.getOrLoad('k', async () => 'old');
    await clock.advance(2_000);
    await expect(cache.getOrLoad('k', fail(new Error('400 bad request')))).rejects.toThrow('400');
    const result = await cache.getOrLoad('k', fail(new CircuitOpenError('breaker open')));
    expect(result).toEqual({ value: 'old', source: 'stale', ageMs: 2_000 });
  });

  it('evicts the least recently used entry beyond entriesMax', async () => {
    const { cache } = setup({ entriesMax: 2 });
    const evictions: string[] = [];
    cache.onEvict((event) => evictions.push(`${event.key}:${event.reason}`));
    cache.set('a', 'A');
    cache.set('b', 'B');
    expect(cache.get('a')?.value).toBe('A'); // 'a' is now the most recent
    cache.set('c', 'C');
    expect(evictions).toEqual(['b:capacity']);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ size: 2, evictions: 1 });
  });

  it('invalidates a key, a prefix, or everything', async () => {
    const { cache } = setup();
    for (const key of ['orders:1', 'orders:2', 'wallets:1']) cache.set(key, key);
    cache.invalidate('orders:1');
    expect(cache.get('orders:1')).toBeUndefined();
    expect(cache.get('orders:2')).toBeDefined();
    cache.invalidatePrefix('orders:');
    expect(cache.get('orders:2')).toBeUndefined();
    expect(cache.get('wallets:1')).toBeDefined();
    cache.clear();
    expect(cache.stats().size).toBe(0);
  });

  it('does not write back a load that was running when the key was invalidated', async () => {
    const { cache } = setup();
    const gate = deferred<string>();
    const early = cache.getOrLoad('k', () => gate.promise);
    cache.invalidate('k');
    const late = cache.getOrLoad('k', async () => 'new');
    gate.resolve('old');
    expect((await early).value).toBe('old');
    expect((await late).value).toBe('new');
    expect(cache.get('k')?.value).toBe('new');
  });

  it('rejects only the aborting caller; the load goes on for the others', async () => {
    const { cache } = setup();
    const gate = deferred<string>();
    let loaderSignal: AbortSignal | undefined;
    const loader = (signal: AbortSignal) => {
      loaderSignal = signal;
      return gate.promise;
    };
    const controller = new AbortController();
    const leaving = cache.getOrLoad('k', loader, { signal: controller.signal });
    const staying = cache.getOrLoad('k', loader);
    await Promise.resolve();
    controller.abort();
    await expect(leaving).rejects.toSatisfy(isAbortedError);
    expect(loaderSignal?.aborted).toBe(false);
    gate.resolve('v');
    expect((await staying).value).toBe('v');
  });

  it('aborts the load when its last caller aborts, and serves no stale value to it', async () => {
    const { clock, cache } = setup();
    cache.set('k', 'old');
    await clock.advance(2_000);
    let loaderSignal: AbortSignal | undefined;
    const controller = new AbortController();
    const pending = cache.getOrLoad(
      'k',
      (signal) => {
        loaderSignal = signal;
        return new Promise<string>((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        );
      },
      { signal: controller.signal },
    );
    await clock.advance(0);
    controller.abort();
    await expect(pending).rejects.toSatisfy(isAbortedError);
    expect(loaderSignal?.aborted).toBe(true);
  });

  it('rejects an already aborted signal without loading', async () => {
    const { cache } = setup();
    const controller = new AbortController();
    controller.abort();
    let called = false;
    const loader = async () => {
      called = true;
      return 'v';
    };
    await expect(cache.getOrLoad('k', loader, { signal: controller.signal })).rejects.toSatisfy(
      isAbortedError,
    );
    expect(called).toBe(false);
  });

  it('emits hit and miss events', async () => {
    const { cache } = setup();
    const seen: string[] = [];
    cache.onHit((event) => seen.push(`hit:${event.key}`));
    cache.onMiss((event) => seen.push(`miss:${event.key}`));
    await cache.getOrLoad('k', async () => 'v');
    await cache.getOrLoad('k', async () => 'v');
    expect(seen).toEqual(['miss:k', 'hit:k']);
  });

  it.each([
    [{ ttlMs: 0 }, /ttlMs must be finite and > 0, was 0/],
    [{ ttlMs: Number.POSITIVE_INFINITY }, /ttlMs .* was Infinity/],
    [{ entriesMax: 0 }, /entriesMax must be a positive integer, was 0/],
    [{ entriesMax: Number.POSITIVE_INFINITY }, /entriesMax .* was Infinity/],
    [{ staleMaxMs: 500 }, /staleMaxMs must be finite and >= ttlMs 1000, was 500/],
  ])('rejects bad option %o', (options, message) => {
    expect(() => setup(options)).toThrow(RangeError);
    expect(() => setup(options)).toThrow(message);
  });
});
