// A TTL + LRU cache whose loads are single-flight and which falls back to a recently expired
// value when the source fails, always saying how old the answer is.
import { type Clock, systemClock } from './clock.js';
import { AbortedError } from './errors.js';
import { EventEmitter } from './events.js';

export interface CacheResult<T> {
  readonly value: T;
  /** 'cache': fresh hit; 'loader': just loaded; 'stale': expired value served because the load failed. */
  readonly source: 'cache' | 'loader' | 'stale';
  /** Time since the value was loaded, ms. */
  readonly ageMs: number;
}

export interface CacheOptions {
  /** How long a loaded value counts as fresh, ms; default 60_000. */
  ttlMs?: number;
  /** Most entries held; the least recently used leaves first; default 1_000. */
  entriesMax?: number;
  /** How old (since load) an expired value may be and still be served when the load fails, ms; default 300_000. */
  staleMaxMs?: number;
  /** Whether a load error means "the source is down, serve stale" (e.g. isCircuitOpenError); default every error. */
  isSourceDown?: (error: unknown) => boolean;
  /** Time source; default systemClock. */
  clock?: Clock;
}

export interface CacheStats {
  readonly size: number;
  readonly entriesMax: number;
  readonly loading: number;
  readonly hits: number;
  readonly misses: number;
  readonly stale: number;
  readonly loadFailures: number;
  readonly evictions: number;
}

export interface CacheKeyEvent {
  readonly key: string;
}
export interface CacheStaleEvent extends CacheKeyEvent {
  readonly ageMs: number;
  readonly error: unknown;
}
export interface CacheEvictEvent extends CacheKeyEvent {
  readonly reason: 'capacity' | 'expired' | 'invalidated';
}

export const CACHE_DEFAULTS = { ttlMs: 60_000, entriesMax: 1_000, staleMaxMs: 300_000 } as const;

interface Entry<T> {
  readonly value: T;
  readonly loadedAtMs: number;
}

interface Flight<T> {
  readonly promise: Promise<Entry<T>>;
  readonly controller: AbortController;
  waiters: number;
}

export class Cache<T> {
  readonly #ttlMs: number;
  readonly #entriesMax: number;
  readonly #staleMaxMs: number;
  readonly #isSourceDown: (error: unknown) => boolean;
  readonly #clock: Clock;
  /** Map order is recency order: the first key is the least recently used. */
  readonly #entries = new Map<string, Entry<T>>();
  readonly #flights = new Map<string, Flight<T>>();
  readonly #counts = { hits: 0, misses: 0, stale: 0, loadFailures: 0, evictions: 0 };
  readonly #hitEmitter = new EventEmitter<CacheKeyEvent>();
  readonly #missEmitter = new EventEmitter<CacheKeyEvent>();
  readonly #staleEmitter = new EventEmitter<CacheStaleEvent>();
  readonly #evictEmitter = new EventEmitter<CacheEvictEvent>();

  readonly onHit = this.#hitEmitter.addListener;
  readonly onMiss = this.#missEmitter.addListener;
  readonly onStale = this.#staleEmitter.addListener;
  readonly onEvict = this.#evictEmitter.addListener;

  constructor(options: CacheOptions = {}) {
    this.#ttlMs = options.ttlMs ?? CACHE_DEFAULTS.ttlMs;
    this.#entriesMax = options.entriesMax ?? CACHE_DEFAULTS.entriesMax;
    this.#staleMaxMs = options.staleMaxMs ?? CACHE_DEFAULTS.staleMaxMs;
    if (!Number.isFinite(this.#ttlMs) || this.#ttlMs <= 0)
      throw new RangeError(`ttlMs must be finite and > 0, was ${this.#ttlMs}`);
    if (!Number.isSafeInteger(this.#entriesMax) || this.#entriesMax < 1)
      throw new RangeError(`entriesMax must be a positive integer, was ${this.#entriesMax}`);
    if (!Number.isFinite(this.#staleMaxMs) || this.#staleMaxMs < this.#ttlMs)
      throw new RangeError(`staleMaxMs must be finite and >= ttlMs ${this.#ttlMs}, was ${this.#staleMaxMs}`);
    this.#isSourceDown = options.isSourceDown ?? (() => true);
    this.#clock = options.clock ?? systemClock;
  }

  /** A fresh value, or undefined; never loads, never serves stale. */
  get(key: string): CacheResult<T> | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    const ageMs = this.#clock.nowMs() - entry.loadedAtMs;
    if (ageMs >= this.#ttlMs) return undefined;
    this.#touch(key, entry);
    return { value: entry.value, source: 'cache', ageMs };
  }

  set(key: string, value: T): void {
    this.#store(key, { value, loadedAtMs: this.#clock.nowMs() });
  }

  /**
   * A fresh value, else one load shared by every concurrent caller of the key. When the load
   * fails and the source is down, an expired value younger than staleMaxMs is served as 'stale'.
   * A caller's abort rejects that caller only; the load is aborted once no caller waits for it.
   */
  async getOrLoad(
    key: string,
    loader: (signal: AbortSignal) => Promise<T>,
    options: { signal?: AbortSignal } = {},
  ): Promise<CacheResult<T>> {
    const fresh = this.get(key);
    if (fresh !== undefined) {
      this.#counts.hits++;
      this.#hitEmitter.emit({ key });
      return fresh;
    }
    this.#counts.misses++;
    this.#missEmitter.emit({ key });
    try {
      const entry = await this.#join(key, loader, options.signal);
      return { value: entry.value, source: 'loader', ageMs: this.#clock.nowMs() - entry.loadedAtMs };
    } catch (error) {
      if (options.signal?.aborted) throw error; // the caller gave up: no fallback answer
      const stale = this.#staleFor(key, error);
      if (stale === undefined) throw error;
      return stale;
    }
  }

  invalidate(key: string): void {
    this.#flights.delete(key); // a load already running must not write back an invalidated value
    if (this.#entries.delete(key)) this.#evicted(key, 'invalidated');
  }

  invalidatePrefix(prefix: string): void {
    for (const key of [...this.#flights.keys()]) if (key.startsWith(prefix)) this.#flights.delete(key);
    for (const key of [...this.#entries.keys()]) if (key.startsWith(prefix)) this.invalidate(key);
  }

  clear(): void {
    for (const key of [...this.#entries.keys()]) this.invalidate(key);
    this.#flights.clear();
  }

  stats(): CacheStats {
    return {
      size: this.#entries.size,
      entriesMax: this.#entriesMax,
      loading: this.#flights.size,
      ...this.#counts,
    };
  }

  #join(key: string, loader: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<Entry<T>> {
    if (signal?.aborted)
      return Promise.reject(new AbortedError('aborted before the load', { cause: signal.reason }));
    const flight = this.#flights.get(key) ?? this.#startFlight(key, loader);
    flight.waiters++;
    if (signal === undefined) return flight.promise;
    return new Promise<Entry<T>>((resolve, reject) => {
      const onAbort = () => {
        flight.waiters--;
        if (flight.waiters === 0) flight.controller.abort(signal.reason);
        reject(new AbortedError('aborted while waiting for the load', { cause: signal.reason }));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(
        (entry) => {
          signal.removeEventListener('abort', onAbort);
          resolve(entry);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  #startFlight(key: string, loader: (signal: AbortSignal) => Promise<T>): Flight<T> {
    const controller = new AbortController();
    const run = async (): Promise<Entry<T>> => {
      try {
        const value = await loader(controller.signal);
        const entry = { value, loadedAtMs: this.#clock.nowMs() };
        if (this.#flights.get(key) === flight) this.#store(key, entry);
        return entry;
      } catch (error) {
        this.#counts.loadFailures++;
        throw error;
      } finally {
        if (this.#flights.get(key) === flight) this.#flights.delete(key);
      }
    };
    const flight: Flight<T> = { promise: Promise.resolve().then(run), controller, waiters: 0 };
    this.#flights.set(key, flight);
    return flight;
  }

  #staleFor(key: string, error: unknown): CacheResult<T> | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    const ageMs = this.#clock.nowMs() - entry.loadedAtMs;
    if (ageMs >= this.#staleMaxMs) {
      this.#entries.delete(key);
      this.#evicted(key, 'expired');
      return undefined;
    }
    if (!this.#isSourceDown(error)) return undefined;
    this.#counts.stale++;
    this.#staleEmitter.emit({ key, ageMs, error });
    return { value: entry.value, source: 'stale', ageMs };
  }

  #store(key: string, entry: Entry<T>): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    while (this.#entries.size > this.#entriesMax) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
      this.#evicted(oldest.value, 'capacity');
    }
  }

  #touch(key: string, entry: Entry<T>): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
  }

  #evicted(key: string, reason: CacheEvictEvent['reason']): void {
    this.#counts.evictions++;
    this.#evictEmitter.emit({ key, reason });
  }
}
