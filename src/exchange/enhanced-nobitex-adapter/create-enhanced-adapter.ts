// Builds the whole exchange stack from one options object: ConnectionPool → NobitexClient →
// EnhancedNobitexAdapter, with every default explicit and every value validated once.
import type { Clock } from '../../core/clock.js';
import type { Rng } from '../../core/random.js';
import type { RateLimitStore } from '../../core/rate-limiter/rate-limit-store.js';
import type { Logger } from '../../logging/logger.js';
import { ConnectionPool } from '../connection-pool/connection-pool.js';
import type { BaseUrlOption, ConnectionPoolOptions } from '../connection-pool/connection-pool-options.js';
import type { NobitexAuth } from '../nobitex-client/auth.js';
import { NobitexClient } from '../nobitex-client/nobitex-client.js';
import type { EnhancedAdapterOptions } from './adapter-options.js';
import type { BreakerFactory } from './call-pipeline.js';
import { EnhancedNobitexAdapter } from './enhanced-nobitex-adapter.js';

export interface CreateEnhancedAdapterOptions {
  /** Nobitex origins, preferred first; e.g. `https://apiv2.nobitex.ir`. */
  readonly baseUrls: readonly (string | BaseUrlOption)[];
  readonly auth: NobitexAuth;
  /** `TraderBot/keel-<version>`. */
  readonly userAgent: string;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger?: Logger;
  /** Policies of the adapter (breakers, retries, timeouts, rate limits, caches). */
  readonly options?: EnhancedAdapterOptions;
  /** Connection pool settings other than baseUrls, clock, rng and logger. */
  readonly pool?: Omit<ConnectionPoolOptions, 'baseUrls' | 'clock' | 'rng' | 'logger'>;
  /** Wait assumed when a 429 names none, ms. Default the client's (60 000). */
  readonly rateLimitFallbackBackOffMs?: number;
  readonly rateLimitStore?: RateLimitStore;
  /** Wraps each group's local breaker, e.g. `(group, breaker) => sharedState.attach(group, breaker)`. */
  readonly breakerFactory?: BreakerFactory;
}

export interface EnhancedAdapterStack {
  readonly adapter: EnhancedNobitexAdapter;
  readonly client: NobitexClient;
  readonly pool: ConnectionPool;
}

export function createEnhancedAdapter(options: CreateEnhancedAdapterOptions): EnhancedAdapterStack {
  const { clock, rng, logger } = options;
  const pool = new ConnectionPool({
    ...options.pool,
    baseUrls: options.baseUrls,
    clock,
    rng,
    ...(logger === undefined ? {} : { logger }),
  });
  try {
    const client = new NobitexClient({
      transport: pool,
      auth: options.auth,
      userAgent: options.userAgent,
      clock,
      ...(options.rateLimitFallbackBackOffMs === undefined
        ? {}
        : { rateLimitFallbackBackOffMs: options.rateLimitFallbackBackOffMs }),
    });
    const adapter = new EnhancedNobitexAdapter({
      client,
      clock,
      rng,
      transport: pool,
      ...(logger === undefined ? {} : { logger }),
      ...(options.options === undefined ? {} : { options: options.options }),
      ...(options.rateLimitStore === undefined ? {} : { rateLimitStore: options.rateLimitStore }),
      ...(options.breakerFactory === undefined ? {} : { breakerFactory: options.breakerFactory }),
    });
    // With no endpoint to move to, a latency heading past the timeout opens the circuits early:
    // calls fail fast unsent instead of timing out maybe-sent, and half-open probes decide the return.
    pool.onPredictiveAction((action) => {
      if (action.action === 'openBreaker')
        adapter.breakEarly(`${action.baseUrl} projected ${Math.round(action.trend.forecastMs)} ms`);
    });
    return { adapter, client, pool };
  } catch (error) {
    void pool.close(); // invalid options: release what was built
    throw error;
  }
}
