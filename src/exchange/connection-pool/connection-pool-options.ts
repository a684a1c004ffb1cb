// Options of the connection pool: every limit named, finite and validated once.
import type { Pool } from 'undici';
import type { Clock } from '../../core/clock.js';
import type { Rng } from '../../core/random.js';
import type { Logger } from '../../logging/logger.js';
import type { ProxyRoute } from '../../net/proxy-route.js';
import type { PredictiveOptions } from './predictive-recovery.js';
import type { EndpointGroup } from './transport.js';

export interface BaseUrlOption {
  readonly url: string;
  /** Relative share of traffic when healthy; give the preferred endpoint the largest. */
  readonly weight: number;
}

export interface ConnectionPoolOptions {
  /** Endpoints, e.g. `https://apiv2.nobitex.ir`. A bare string has weight 1. */
  readonly baseUrls: readonly (string | BaseUrlOption)[];
  readonly clock: Clock;
  /** Draws for weighted selection; seeded in tests. */
  readonly rng: Rng;
  readonly logger?: Logger;
  /** Each group's bulkhead (its connections per host too); unset fields keep GROUP_BULKHEAD_DEFAULTS. */
  readonly bulkheads?: Partial<Record<EndpointGroup, Partial<GroupBulkheadOptions>>>;
  /** TCP+TLS connect timeout, ms. Default 5 000. */
  readonly connectTimeoutMs?: number;
  /** Wait for response headers after sending, ms. Default 10 000. */
  readonly headersTimeoutMs?: number;
  /** Idle time between body chunks, ms. Default 10 000. */
  readonly bodyTimeoutMs?: number;
  /** Idle keep-alive socket lifetime, ms. Default 30 000. */
  readonly keepAliveTimeoutMs?: number;
  /** Largest response body accepted, bytes. Default 8 MiB (`/v3/orderbook/all`, `/v2/options`). */
  readonly bodySizeBytesMax?: number;
  /** Consecutive connection failures that mark an endpoint down. Default 3. */
  readonly failuresToMarkDown?: number;
  /** Time between recovery probes of a down endpoint, ms. Default 5 000. */
  readonly probeIntervalMs?: number;
  /** Consecutive good probes that bring an endpoint back. Default 2. */
  readonly probeSuccessesToRecover?: number;
  /** Path of the default probe (a cheap public GET). Default `/v2/options`. */
  readonly probePath?: string;
  /** Replaces the default probe; resolves true when the endpoint is healthy. */
  readonly probe?: (baseUrl: string) => Promise<boolean>;
  /** Weight of the newest sample in health EWMAs, in (0, 1]. Default 0.2. */
  readonly ewmaAlpha?: number;
  /** Latency at which an endpoint's weight halves, ms. Default 300. */
  readonly latencyReferenceMs?: number;
  /** The way to each base URL: direct or through a proxy. Default direct for all. */
  readonly routeFor?: (baseUrl: string) => ProxyRoute;
  /** Predictive recovery on latency and error trends; `false` turns it off. Default on, its defaults. */
  readonly predictive?: PredictiveOptions | false;
  /** Creates the undici pool for one origin (tests inject). */
  readonly poolFactory?: (origin: string, options: Pool.Options) => Pool;
}

/** The bulkhead in front of one endpoint group (a core/bulkhead). */
export interface GroupBulkheadOptions {
  /** Requests running at once; also the group's connections per base URL. */
  readonly concurrentMax: number;
  /** Requests waiting for a slot before an immediate rejection. */
  readonly queueMax: number;
  /** Longest wait in the queue when the caller gives no deadline, ms. */
  readonly queueWaitMaxMs: number;
}

export const GROUP_BULKHEAD_DEFAULTS: Readonly<Record<EndpointGroup, GroupBulkheadOptions>> = {
  orders: { concurrentMax: 4, queueMax: 100, queueWaitMaxMs: 10_000 },
  account: { concurrentMax: 2, queueMax: 100, queueWaitMaxMs: 10_000 },
  marketData: { concurrentMax: 4, queueMax: 100, queueWaitMaxMs: 10_000 },
};

export const CONNECTION_POOL_DEFAULTS = {
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  keepAliveTimeoutMs: 30_000,
  bodySizeBytesMax: 8 * 1024 * 1024,
  failuresToMarkDown: 3,
  probeIntervalMs: 5_000,
  probeSuccessesToRecover: 2,
  probePath: '/v2/options',
  ewmaAlpha: 0.2,
  latencyReferenceMs: 300,
} as const;

export type ResolvedConnectionPoolOptions = Required<
  Omit<
    ConnectionPoolOptions,
    'logger' | 'probe' | 'poolFactory' | 'routeFor' | 'baseUrls' | 'bulkheads' | 'predictive'
  >
> & {
  readonly baseUrls: readonly BaseUrlOption[];
  readonly bulkheads: Readonly<Record<EndpointGroup, GroupBulkheadOptions>>;
};

export function resolveOptions(options: ConnectionPoolOptions): ResolvedConnectionPoolOptions {
  const baseUrls = options.baseUrls.map((entry) =>
    typeof entry === 'string' ? { url: entry, weight: 1 } : entry,
  );
  if (baseUrls.length === 0) throw new RangeError('baseUrls must not be empty, was []');
  for (const { url, weight } of baseUrls) {
    if (!/^https?:\/\/[^/]+$/.test(url))
      throw new RangeError(`baseUrl must be an origin without a path, was ${url}`);
    if (!(weight > 0 && Number.isFinite(weight)))
      throw new RangeError(`weight must be positive, was ${weight}`);
  }
  const resolved: ResolvedConnectionPoolOptions = {
    ...CONNECTION_POOL_DEFAULTS,
    ...withoutUndefined(options),
    clock: options.clock,
    rng: options.rng,
    baseUrls,
    bulkheads: resolveBulkheads(options.bulkheads ?? {}),
  };
  const positive = ['connectTimeoutMs', 'headersTimeoutMs', 'bodyTimeoutMs', 'keepAliveTimeoutMs'];
  for (const key of [...positive, 'bodySizeBytesMax', 'probeIntervalMs', 'latencyReferenceMs'] as const) {
    const value = resolved[key as keyof typeof CONNECTION_POOL_DEFAULTS];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
      throw new RangeError(`${key} must be a positive finite number, was ${String(value)}`);
  }
  for (const key of ['failuresToMarkDown', 'probeSuccessesToRecover'] as const) {
    const value = resolved[key];
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`${key} must be an integer ≥ 1, was ${value}`);
  }
  if (!(resolved.ewmaAlpha > 0 && resolved.ewmaAlpha <= 1))
    throw new RangeError(`ewmaAlpha must be in (0, 1], was ${resolved.ewmaAlpha}`);
  return Object.freeze(resolved);
}

/** Each group's bulkhead: the given fields over the defaults, checked (the bulkhead checks the rest). */
function resolveBulkheads(
  given: Partial<Record<EndpointGroup, Partial<GroupBulkheadOptions>>>,
): Readonly<Record<EndpointGroup, GroupBulkheadOptions>> {
  const entries = Object.entries(GROUP_BULKHEAD_DEFAULTS).map(([group, defaults]) => {
    const merged = { ...defaults, ...withoutUndefined(given[group as EndpointGroup] ?? {}) };
    if (!Number.isInteger(merged.concurrentMax) || merged.concurrentMax < 1 || merged.concurrentMax > 256)
      throw new RangeError(
        `bulkheads.${group}.concurrentMax must be an integer in [1, 256], was ${merged.concurrentMax}`,
      );
    return [group, merged];
  });
  return Object.fromEntries(entries) as Record<EndpointGroup, GroupBulkheadOptions>;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
