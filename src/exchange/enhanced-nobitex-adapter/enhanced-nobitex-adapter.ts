// The Nobitex client behind Keel's reliability policies: every call passes the circuit breaker of
// its group, retries only where safe, spends rate budget per attempt and honours 429 back-offs, and
// is bounded in time. Market data, options and wallets are cached, and served stale (marked, with
// their age) while the exchange is unavailable.
import type { CacheStats } from '../../core/cache.js';
import type { CircuitBreakerMetrics } from '../../core/circuit-breaker.js';
import type { Clock } from '../../core/clock.js';
import { EventEmitter } from '../../core/events.js';
import type { Rng } from '../../core/random.js';
import type { RateLimitStore } from '../../core/rate-limiter/rate-limit-store.js';
import type { RateLimiter, RateLimitKeySnapshot } from '../../core/rate-limiter/rate-limiter.js';
import { type Logger, silentLogger } from '../../logging/logger.js';
import type { ConnectionPoolStats } from '../connection-pool/connection-pool.js';
import type { EndpointGroup } from '../connection-pool/transport.js';
import { type Market, toSymbol } from '../markets.js';
import type { CallOptions, NobitexClient } from '../nobitex-client/nobitex-client.js';
import type {
  CancelOldParams,
  ListOrdersParams,
  OrderRef,
  PlaceOrderParams,
} from '../nobitex-client/requests.js';
import type * as T from '../nobitex-client/types.js';
import {
  AdapterCacheSet,
  type CachedCallOptions,
  type CachedResult,
  type CachedValues,
} from './adapter-cache-set.js';
import type {
  AdapterRateLimitPenaltyEvent,
  AdapterRateLimitRejectEvent,
  AdapterRateLimitWaitEvent,
} from './adapter-events.js';
import {
  type CacheName,
  type EnhancedAdapterOptions,
  type ResolvedAdapterOptions,
  resolveAdapterOptions,
} from './adapter-options.js';
import { createAdapterRateLimiter } from './adapter-rate-limiter.js';
import { type BreakerFactory, CallPipeline } from './call-pipeline.js';

/** What the adapter can report about the transport under it (the ConnectionPool). */
export interface TransportStatsSource {
  stats(): ConnectionPoolStats;
  close(): Promise<void>;
}

export interface EnhancedNobitexAdapterOptions {
  readonly client: NobitexClient;
  readonly clock: Clock;
  /** Jitter of retries; seeded in tests. */
  readonly rng: Rng;
  readonly logger?: Logger;
  readonly options?: EnhancedAdapterOptions;
  /** Shared budgets for several instances (Redis); default in memory. */
  readonly rateLimitStore?: RateLimitStore;
  /** Wraps each group's local breaker (shared breaker state); default the local breaker alone. */
  readonly breakerFactory?: BreakerFactory;
  /** The pool under the client, for stats() and close(). */
  readonly transport?: TransportStatsSource;
}

export interface AdapterStats {
  readonly breakers: Readonly<Record<EndpointGroup, CircuitBreakerMetrics>>;
  readonly rateLimits: readonly RateLimitKeySnapshot[];
  /** Null when the adapter was built without its transport. */
  readonly pool: ConnectionPoolStats | null;
  readonly caches: Readonly<Record<CacheName, CacheStats>>;
}

const WALLETS_KEY = 'spot';
const OPTIONS_KEY = 'options';

export class EnhancedNobitexAdapter {
  readonly #waitEmitter = new EventEmitter<AdapterRateLimitWaitEvent>();
  readonly #rejectEmitter = new EventEmitter<AdapterRateLimitRejectEvent>();
  readonly #penaltyEmitter = new EventEmitter<AdapterRateLimitPenaltyEvent>();

  /** Every call: endpoint, outcome, duration, attempts. */
  readonly onCall: CallPipeline['onCall'];
  /** Before each retry wait. */
  readonly onRetry: CallPipeline['onRetry'];
  /** A business rejection (HTTP 200 `status: failed`) with Nobitex's code. */
  readonly onRejection: CallPipeline['onRejection'];
  /** A group's circuit changed state. */
  readonly onBreakerStateChange: CallPipeline['onBreakerStateChange'];
  /** Cache hit, miss, or stale value served. */
  readonly onCache: AdapterCacheSet['onCache'];
  /** A call waits for local rate budget. */
  readonly onRateLimitWait = this.#waitEmitter.addListener;
  /** A call was refused by the local limiter (its wait would pass the deadline). */
  readonly onRateLimitReject = this.#rejectEmitter.addListener;
  /** A 429 put a budget key in the penalty box. */
  readonly onRateLimitPenalty = this.#penaltyEmitter.addListener;

  readonly options: ResolvedAdapterOptions;
  readonly #client: NobitexClient;
  readonly #pipeline: CallPipeline;
  readonly #limiter: RateLimiter;
  readonly #transport: TransportStatsSource | undefined;
  readonly #logger: Logger;
  readonly #caches: AdapterCacheSet;

  constructor(init: EnhancedNobitexAdapterOptions) {
    this.options = resolveAdapterOptions(init.options);
    this.#client = init.client;
    this.#transport = init.transport;
    this.#logger = (init.logger ?? silentLogger).child({ component: 'enhanced-nobitex-adapter' });
    this.#limiter = createAdapterRateLimiter(this.options, init.clock, init.rateLimitStore);
    this.#pipeline = new CallPipeline({
      options: this.options,
      limiter: this.#limiter,
      clock: init.clock,
      rng: init.rng,
      ...(init.breakerFactory === undefined ? {} : { breakerFactory: init.breakerFactory }),
    });
    this.onCall = this.#pipeline.onCall;
    this.onRetry = this.#pipeline.onRetry;
    this.onRejection = this.#pipeline.onRejection;
    this.onBreakerStateChange = this.#pipeline.onBreakerStateChange;
    this.#caches = new AdapterCacheSet(this.options, init.clock);
    this.onCache = this.#caches.onCache;
    this.#forwardLimiterEvents();
    this.onBreakerStateChange((change) =>
      this.#logger.warn(
        { group: change.group, from: change.from, to: change.to, reason: change.reason },
        'circuit changed',
      ),
    );
  }

  getOrderBook(market: Market, options: CachedCallOptions = {}): Promise<CachedResult<T.OrderBook>> {
    return this.#cached('orderBook', toSymbol(market), options, (callOptions) =>
      this.#client.getOrderBook(market, callOptions),
    );
  }

  /** Stats keyed `btc-rls`; `src`/`dst` filter by currency code. */
  getMarketStats(
    params: { readonly src?: readonly string[]; readonly dst?: readonly string[] } = {},
    options: CachedCallOptions = {},
  ): Promise<CachedResult<ReadonlyMap<string, T.MarketStats>>> {
    const key = `${params.src?.join(',') ?? '*'}|${params.dst?.join(',') ?? '*'}`;
    return this.#cached('marketStats', key, options, (callOptions) =>
      this.#client.getMarketStats(params, callOptions),
    );
  }

  getOptions(options: CachedCallOptions = {}): Promise<CachedResult<T.ExchangeOptions>> {
    return this.#cached('options', OPTIONS_KEY, options, (callOptions) =>
      this.#client.getOptions(callOptions),
    );
  }

  /** Spot wallets keyed by lowercase code; invalidated after every place and cancel. */
  getWallets(options: CachedCallOptions = {}): Promise<CachedResult<ReadonlyMap<string, T.WalletBalance>>> {
    return this.#cached('wallets', WALLETS_KEY, options, (callOptions) =>
      this.#client.getWallets(callOptions),
    );
  }

  getRecentTrades(market: Market, signal?: AbortSignal): Promise<readonly T.PublicTrade[]> {
    return this.#pipeline.execute('recentTrades', (o) => this.#client.getRecentTrades(market, o), signal);
  }

  getOhlc(
    params: Parameters<NobitexClient['getOhlc']>[0],
    signal?: AbortSignal,
  ): Promise<readonly T.Candle[]> {
    return this.#pipeline.execute('ohlc', (o) => this.#client.getOhlc(params, o), signal);
  }

  /**
   * Never retried once it may have been sent: on an ambiguous error, ask by clientOrderId.
   * `beforeAttempt` runs right before each attempt leaves (after any rate-limit wait) and may reject.
   */
  placeOrder(
    params: PlaceOrderParams,
    signal?: AbortSignal,
    beforeAttempt?: () => Promise<void>,
  ): Promise<T.Order> {
    return this.#afterWalletChange(
      this.#pipeline.execute(
        'placeOrder',
        async (o) => {
          await beforeAttempt?.();
          return this.#client.placeOrder(params, o);
        },
        signal,
      ),
    );
  }

  getOrderStatus(ref: OrderRef, signal?: AbortSignal): Promise<T.Order> {
    return this.#pipeline.execute('orderStatus', (o) => this.#client.getOrderStatus(ref, o), signal);
  }

  listOrders(params: ListOrdersParams, signal?: AbortSignal): ReturnType<NobitexClient['listOrders']> {
    return this.#pipeline.execute('listOrders', (o) => this.#client.listOrders(params, o), signal);
  }

  cancelOrder(ref: OrderRef, signal?: AbortSignal): Promise<T.CancelResult> {
    return this.#afterWalletChange(
      this.#pipeline.execute('cancelOrder', (o) => this.#client.cancelOrder(ref, o), signal),
    );
  }

  cancelOld(params: CancelOldParams = {}, signal?: AbortSignal): Promise<void> {
    return this.#afterWalletChange(
      this.#pipeline.execute('cancelOld', (o) => this.#client.cancelOld(params, o), signal),
    );
  }

  listUserTrades(
    params: Parameters<NobitexClient['listUserTrades']>[0],
    signal?: AbortSignal,
  ): ReturnType<NobitexClient['listUserTrades']> {
    return this.#pipeline.execute('userTrades', (o) => this.#client.listUserTrades(params, o), signal);
  }

  getWalletsV2(
    params: { readonly currencies: readonly string[] },
    signal?: AbortSignal,
  ): Promise<ReadonlyMap<string, T.WalletBalanceV2>> {
    return this.#pipeline.execute('walletsV2', (o) => this.#client.getWalletsV2(params, o), signal);
  }

  getProfile(signal?: AbortSignal): Promise<T.Profile> {
    return this.#pipeline.execute('profile', (o) => this.#client.getProfile(o), signal);
  }

  /** A WebSocket connection token (secret: never log it). */
  getWsToken(signal?: AbortSignal): Promise<string> {
    return this.#pipeline.execute('wsToken', (o) => this.#client.getWsToken(o), signal);
  }

  /** The group's breaker state and metrics (retryAtMs while open). */
  breakerMetrics(group: EndpointGroup): CircuitBreakerMetrics {
    const breaker = this.#pipeline.breakers.get(group);
    if (breaker === undefined) throw new RangeError(`unknown endpoint group, was ${group}`);
    return breaker.metrics();
  }

  /** Opens every group's closed circuit now (the one endpoint is about to time out); see breakEarly. */
  breakEarly(reason: string): void {
    for (const breaker of this.#pipeline.breakers.values()) breaker.breakEarly(reason);
  }

  invalidateWallets(): void {
    this.#caches.invalidate('wallets', WALLETS_KEY);
  }

  async stats(): Promise<AdapterStats> {
    const breakers = Object.fromEntries(
      [...this.#pipeline.breakers].map(([group, breaker]) => [group, breaker.metrics()]),
    ) as Record<EndpointGroup, CircuitBreakerMetrics>;
    return {
      breakers,
      rateLimits: await this.#limiter.snapshot(),
      pool: this.#transport?.stats() ?? null,
      caches: this.#caches.stats(),
    };
  }

  /** Closes the transport when the adapter was given one (createEnhancedAdapter does). */
  async close(): Promise<void> {
    await this.#transport?.close();
  }

  /** Each cache is named after the endpoint that fills it. */
  #cached<K extends CacheName>(
    name: K,
    key: string,
    options: CachedCallOptions,
    load: (callOptions: CallOptions) => Promise<CachedValues[K]>,
  ): Promise<CachedResult<CachedValues[K]>> {
    return this.#caches.load(name, key, options, (signal) => this.#pipeline.execute(name, load, signal));
  }

  /** Balances may have moved whatever the outcome (an unknown outcome may have placed the order). */
  async #afterWalletChange<V>(call: Promise<V>): Promise<V> {
    try {
      return await call;
    } finally {
      this.invalidateWallets();
    }
  }

  #forwardLimiterEvents(): void {
    this.#limiter.onWait((e) => this.#waitEmitter.emit({ key: e.blockingKey, retryAfterMs: e.retryAfterMs }));
    this.#limiter.onReject((e) =>
      this.#rejectEmitter.emit({ key: e.blockingKey, retryAfterMs: e.retryAfterMs, reason: e.reason }),
    );
    this.#limiter.onPenalty((e) => {
      this.#logger.warn({ key: e.key, backOffMs: e.backOffMs }, 'exchange asked to back off');
      this.#penaltyEmitter.emit({ ...e });
    });
  }
}
