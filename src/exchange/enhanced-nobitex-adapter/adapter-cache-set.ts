// The adapter's four caches (order books, stats, options, wallets): cache-aside with a TTL, one load
// per key at a time, and a stale value (marked, with its age) while the exchange is unavailable.
import { Cache, type CacheResult, type CacheStats } from '../../core/cache.js';
import type { Clock } from '../../core/clock.js';
import { EventEmitter } from '../../core/events.js';
import type * as T from '../nobitex-client/types.js';
import type { AdapterCacheEvent } from './adapter-events.js';
import { CACHE_NAMES, type CacheName, type ResolvedAdapterOptions } from './adapter-options.js';
import { isExchangeUnavailable } from './error-classes.js';

/** A cached answer: `stale` when served because the exchange could not answer; `ageMs` since loaded. */
export interface CachedResult<V> {
  readonly value: V;
  readonly stale: boolean;
  readonly ageMs: number;
  readonly source: CacheResult<V>['source'];
}

export interface CachedCallOptions {
  readonly signal?: AbortSignal;
  /** False: never serve a stale value, throw the exchange's error instead. Default true. */
  readonly allowStale?: boolean;
}

/** The value type held by each cache. */
export interface CachedValues {
  readonly orderBook: T.OrderBook;
  readonly marketStats: ReadonlyMap<string, T.MarketStats>;
  readonly options: T.ExchangeOptions;
  readonly wallets: ReadonlyMap<string, T.WalletBalance>;
}

type Caches = { readonly [K in CacheName]: Cache<CachedValues[K]> };

export class AdapterCacheSet {
  readonly #cacheEmitter = new EventEmitter<AdapterCacheEvent>();
  /** Cache hit, miss, or stale value served. */
  readonly onCache = this.#cacheEmitter.addListener;
  readonly #caches: Caches;

  constructor(options: ResolvedAdapterOptions, clock: Clock) {
    const create = <K extends CacheName>(name: K): Cache<CachedValues[K]> => {
      const cache = new Cache<CachedValues[K]>({
        ttlMs: options.cache[name].ttlMs,
        staleMaxMs: options.cache[name].staleMaxMs,
        entriesMax: options.cacheEntriesMax,
        isSourceDown: isExchangeUnavailable,
        clock,
      });
      cache.onHit(({ key }) => this.#cacheEmitter.emit({ cache: name, key, kind: 'hit' }));
      cache.onMiss(({ key }) => this.#cacheEmitter.emit({ cache: name, key, kind: 'miss' }));
      cache.onStale(({ key, ageMs }) => this.#cacheEmitter.emit({ cache: name, key, kind: 'stale', ageMs }));
      return cache;
    };
    this.#caches = {
      orderBook: create('orderBook'),
      marketStats: create('marketStats'),
      options: create('options'),
      wallets: create('wallets'),
    };
  }

  /** A fresh value, else one shared load; stale on unavailability unless allowStale is false. */
  async load<K extends CacheName>(
    name: K,
    key: string,
    options: CachedCallOptions,
    loader: (signal: AbortSignal) => Promise<CachedValues[K]>,
  ): Promise<CachedResult<CachedValues[K]>> {
    const cache = this.#caches[name] as Cache<CachedValues[K]>;
    if (options.allowStale === false) {
      const fresh = cache.get(key);
      this.#cacheEmitter.emit({ cache: name, key, kind: fresh === undefined ? 'miss' : 'hit' });
      if (fresh !== undefined) return { ...fresh, stale: false };
      const value = await loader(options.signal ?? new AbortController().signal);
      cache.set(key, value);
      return { value, stale: false, ageMs: 0, source: 'loader' };
    }
    const result = await cache.getOrLoad(
      key,
      loader,
      options.signal === undefined ? {} : { signal: options.signal },
    );
    return { ...result, stale: result.source === 'stale' };
  }

  invalidate(name: CacheName, key: string): void {
    this.#caches[name].invalidate(key);
  }

  stats(): Readonly<Record<CacheName, CacheStats>> {
    return Object.fromEntries(CACHE_NAMES.map((name) => [name, this.#caches[name].stats()])) as Record<
      CacheName,
      CacheStats
    >;
  }
}
