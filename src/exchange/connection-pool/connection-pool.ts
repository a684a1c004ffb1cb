// The Transport on undici: a pool per (group, base URL), a core/bulkhead per group in front of it (its
// limits are the group's settings), health-weighted endpoint choice, failover (Keel's one: only a request
// proven unsent moves to another endpoint), recovery probes on the injected clock, and
// predictive recovery (drain or throttle an endpoint whose latency or errors are heading for failure).
import { type Dispatcher, Pool } from 'undici';
import type { BulkheadStats } from '../../core/bulkhead.js';
import type { TimerHandle } from '../../core/clock.js';
import { EventEmitter } from '../../core/events.js';
import { type Logger, silentLogger } from '../../logging/logger.js';
import { createRoutedDispatcher } from '../../net/proxy-dispatcher.js';
import { describeProxy } from '../../net/proxy-route.js';
import {
  type ConnectionPoolOptions,
  type ResolvedConnectionPoolOptions,
  resolveOptions,
} from './connection-pool-options.js';
import { EndpointHealth, type EndpointHealthSnapshot, pickWeighted } from './endpoint-health.js';
import {
  isRequestMaybeSentError,
  isRequestNotSentError,
  type NotSentReason,
  RequestNotSentError,
} from './errors.js';
import { type PredictiveAction, PredictiveRecovery } from './predictive-recovery.js';
import { RequestQueue } from './request-queue.js';
import { sendRequest } from './send-request.js';
import {
  ENDPOINT_GROUPS,
  type EndpointGroup,
  type Transport,
  type TransportRequest,
  type TransportResponse,
} from './transport.js';

/** Connection failures that prove nothing was written: the request may go to another endpoint. */
const FAILOVER_REASONS: ReadonlySet<NotSentReason> = new Set([
  'connectRefused',
  'connectTimeout',
  'dns',
  'closedBeforeWrite',
  'proxyFailed',
]);

/** The dispatcher to one (group, base URL), and the undici pool behind it once it exists (for stats). */
interface HostDispatcher {
  readonly dispatcher: Dispatcher & { readonly closed?: boolean; readonly destroyed?: boolean };
  pool(): Pool | undefined;
}

export interface HostGroupStats {
  readonly baseUrl: string;
  readonly group: EndpointGroup;
  readonly connected: number;
  readonly free: number;
  readonly pending: number;
  readonly queued: number;
  readonly running: number;
}

export interface ConnectionPoolStats {
  /** Our queue per group: waiting and running requests. */
  readonly groups: Readonly<Record<EndpointGroup, { readonly queueDepth: number; readonly running: number }>>;
  /** Each group's bulkhead: running, queued, limits and refusals. */
  readonly bulkheads?: Readonly<Record<EndpointGroup, BulkheadStats>>;
  /** Undici's view per host and group. */
  readonly hosts: readonly HostGroupStats[];
  readonly endpoints: readonly EndpointHealthSnapshot[];
  /** Predictive recovery's latest actions with the trend behind each, oldest first. */
  readonly predictiveActions?: readonly PredictiveAction[];
}

export class ConnectionPool implements Transport {
  readonly #options: ResolvedConnectionPoolOptions;
  readonly #raw: ConnectionPoolOptions;
  readonly #logger: Logger;
  readonly #endpoints: readonly EndpointHealth[];
  readonly #queues: ReadonlyMap<EndpointGroup, RequestQueue>;
  readonly #pools = new Map<string, HostDispatcher>();
  readonly #probeTimers = new Map<string, TimerHandle>();
  readonly #downEmitter = new EventEmitter<EndpointHealthSnapshot>();
  readonly #upEmitter = new EventEmitter<EndpointHealthSnapshot>();
  readonly #predictiveEmitter = new EventEmitter<PredictiveAction>();
  readonly #predictive: PredictiveRecovery | undefined;
  #closed = false;

  /** An endpoint was marked down after repeated failures. */
  readonly onEndpointDown = this.#downEmitter.addListener;
  /** A down endpoint passed its recovery probes and takes traffic again. */
  readonly onEndpointUp = this.#upEmitter.addListener;
  /** Predictive recovery drained, restored, throttled or unthrottled an endpoint. */
  readonly onPredictiveAction = this.#predictiveEmitter.addListener;

  constructor(options: ConnectionPoolOptions) {
    this.#options = resolveOptions(options);
    this.#raw = options;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'connection-pool' });
    const o = this.#options;
    this.#endpoints = o.baseUrls.map(({ url, weight }) => new EndpointHealth(url, weight, o));
    this.#predictive =
      options.predictive === false
        ? undefined
        : new PredictiveRecovery({
            ...options.predictive,
            timeoutMs: o.headersTimeoutMs,
            probesToRestore: o.probeSuccessesToRecover,
          });
    this.#queues = new Map(
      ENDPOINT_GROUPS.map((group) => [
        group,
        new RequestQueue({
          name: group,
          concurrencyMax: o.bulkheads[group].concurrentMax,
          queuedMax: o.bulkheads[group].queueMax,
          queueWaitMaxMs: o.bulkheads[group].queueWaitMaxMs,
          clock: o.clock,
        }),
      ]),
    );
  }

  request(request: TransportRequest): Promise<TransportResponse> {
    if (this.#closed)
      return Promise.reject(new RequestNotSentError('connection pool is closed', { reason: 'closed' }));
    const queue = this.#queues.get(request.group);
    if (queue === undefined) throw new RangeError(`unknown endpoint group, was ${String(request.group)}`);
    return queue.run(() => this.#send(request), request);
  }

  /** Tries healthy endpoints in weighted order; only a request proven unsent moves to the next one. */
  async #send(request: TransportRequest): Promise<TransportResponse> {
    if (this.#closed) throw new RequestNotSentError('connection pool is closed', { reason: 'closed' });
    const tried: EndpointHealth[] = [];
    for (;;) {
      const candidates =
        tried.length === 0
          ? this.#endpoints
          : this.#endpoints.filter((endpoint) => !tried.includes(endpoint));
      // Every endpoint down: still send to the one that failed longest ago. The circuit breaker above
      // decides whether to call at all; refusing here would only hide a recovery until the next probe.
      const endpoint =
        pickWeighted(candidates, this.#options.rng.next()) ??
        (tried.length === 0 ? leastRecentlyFailed(this.#endpoints) : undefined);
      if (endpoint === undefined)
        throw new RequestNotSentError(`no healthy endpoint among ${this.#endpoints.length}`, {
          reason: 'noHealthyEndpoint',
        });
      tried.push(endpoint);
      try {
        return await this.#sendTo(endpoint, request);
      } catch (error) {
        const failover =
          isRequestNotSentError(error) && FAILOVER_REASONS.has(error.reason) && !request.signal?.aborted;
        if (!failover || tried.length >= this.#endpoints.length) throw error;
        this.#logger.info({ baseUrl: endpoint.baseUrl, reason: error.reason }, 'failing over');
      }
    }
  }

  async #sendTo(endpoint: EndpointHealth, request: TransportRequest): Promise<TransportResponse> {
    const { baseUrl } = endpoint;
    const { clock } = this.#options;
    const startedAtMs = clock.nowMs();
    try {
      const raw = await sendRequest(
        this.#poolFor(request.group, baseUrl).dispatcher,
        request,
        this.#sendOptions(baseUrl),
      );
      const durationMs = clock.nowMs() - startedAtMs;
      // 502/503/504 usually mean the path behind this endpoint is sick: count them against it.
      const sick = raw.statusCode >= 502 && raw.statusCode <= 504;
      if (sick) this.#recordFailure(endpoint, `HTTP ${raw.statusCode}`);
      else endpoint.recordSuccess(durationMs);
      this.#observeTrend(endpoint, request.group, durationMs, !sick);
      return {
        statusCode: raw.statusCode,
        headers: raw.headers,
        bodyText: raw.bodyText,
        baseUrl,
        durationMs,
      };
    } catch (error) {
      const callerAborted = request.signal?.aborted === true;
      if (!callerAborted && (isRequestNotSentError(error) || isRequestMaybeSentError(error))) {
        this.#recordFailure(endpoint, error.reason);
        this.#observeTrend(endpoint, request.group, clock.nowMs() - startedAtMs, false);
      }
      throw error;
    }
  }

  /** Feeds the call to predictive recovery and carries out what it decides. */
  #observeTrend(endpoint: EndpointHealth, group: EndpointGroup, latencyMs: number, ok: boolean): void {
    const predictive = this.#predictive;
    if (predictive === undefined || this.#closed) return;
    let canDrain = false;
    for (const other of this.#endpoints)
      if (other !== endpoint && other.isUp && !predictive.isDrained(other.baseUrl)) canDrain = true;
    const atMs = this.#options.clock.nowMs();
    const action = predictive.recordCall({
      baseUrl: endpoint.baseUrl,
      group,
      sample: { atMs, latencyMs, ok },
      canDrain,
    });
    if (action === undefined) return;
    if (action.action === 'drain') {
      endpoint.setDrained(true);
      this.#scheduleProbe(endpoint);
    }
    this.#applyThrottle();
    this.#announce(action);
  }

  /** While any endpoint is throttled, each group runs at most half its connections (at least one). */
  #applyThrottle(): void {
    const throttled = this.#predictive?.throttled === true;
    for (const [group, queue] of this.#queues)
      queue.limitConcurrency(
        throttled ? Math.max(1, Math.floor(this.#options.bulkheads[group].concurrentMax / 2)) : undefined,
      );
  }

  #announce(action: PredictiveAction): void {
    const { trend } = action;
    this.#logger.warn(
      {
        baseUrl: action.baseUrl,
        action: action.action,
        reason: action.reason,
        latencyNowMs: Math.round(trend.latencyNowMs),
        slopeMsPerS: Math.round(trend.slopeMsPerS),
        forecastMs: Math.round(trend.forecastMs),
        errorShare: trend.errorShare,
        thresholdMs: action.thresholdMs,
      },
      'predictive recovery',
    );
    this.#predictiveEmitter.emit(action);
  }

  #sendOptions(baseUrl: string) {
    const o = this.#options;
    return {
      baseUrl,
      headersTimeoutMs: o.headersTimeoutMs,
      bodyTimeoutMs: o.bodyTimeoutMs,
      bodySizeBytesMax: o.bodySizeBytesMax,
    };
  }

  /**
   * The pool for a group and host; a destroyed or closed one is replaced (reconnection). Through a proxy
   * the same pool is built by the proxy's dispatcher, which only changes how its sockets are opened.
   */
  #poolFor(group: EndpointGroup, baseUrl: string): HostDispatcher {
    const key = `${group} ${baseUrl}`;
    const existing = this.#pools.get(key);
    const { dispatcher } = existing ?? {};
    if (existing !== undefined && dispatcher?.destroyed !== true && dispatcher?.closed !== true)
      return existing;
    const o = this.#options;
    const poolOptions: Pool.Options = {
      connections: o.bulkheads[group].concurrentMax,
      pipelining: 1,
      connectTimeout: o.connectTimeoutMs,
      headersTimeout: o.headersTimeoutMs,
      bodyTimeout: o.bodyTimeoutMs,
      keepAliveTimeout: o.keepAliveTimeoutMs,
      keepAliveMaxTimeout: o.keepAliveTimeoutMs * 2,
    };
    const create = (origin: string, options: Pool.Options) =>
      this.#raw.poolFactory?.(origin, options) ?? new Pool(origin, options);
    const route = this.#raw.routeFor?.(baseUrl) ?? { kind: 'direct' as const };
    let host: HostDispatcher;
    if (route.kind === 'direct') {
      const pool = create(baseUrl, poolOptions);
      host = { dispatcher: pool, pool: () => pool };
    } else {
      let pool: Pool | undefined;
      const dispatcher = createRoutedDispatcher({
        route,
        poolOptions,
        connectTimeoutMs: o.connectTimeoutMs,
        factory: (origin, options) => {
          pool = create(origin, options);
          return pool;
        },
      });
      host = { dispatcher, pool: () => pool };
      this.#logger.info(
        { baseUrl, group, proxy: describeProxy(route) },
        'exchange connections go through a proxy',
      );
    }
    this.#pools.set(key, host);
    return host;
  }

  #recordFailure(endpoint: EndpointHealth, reason: string): void {
    const markedDown = endpoint.recordFailure(this.#options.clock.nowMs(), reason);
    if (!markedDown) return;
    this.#logger.warn({ baseUrl: endpoint.baseUrl, reason }, 'endpoint marked down');
    this.#downEmitter.emit(endpoint.snapshot());
    this.#scheduleProbe(endpoint);
  }

  #scheduleProbe(endpoint: EndpointHealth): void {
    if (this.#closed || this.#probeTimers.has(endpoint.baseUrl)) return;
    const timer = this.#options.clock.setTimeout(() => {
      this.#probeTimers.delete(endpoint.baseUrl);
      void this.#runProbe(endpoint);
    }, this.#options.probeIntervalMs);
    this.#probeTimers.set(endpoint.baseUrl, timer);
  }

  async #runProbe(endpoint: EndpointHealth): Promise<void> {
    const { clock } = this.#options;
    const startedAtMs = clock.nowMs();
    const ok = await this.#probe(endpoint.baseUrl).catch(() => false);
    if (this.#closed) return;
    const atMs = clock.nowMs();
    // A drained endpoint is half-open: its probes' latency trend decides when it takes traffic again.
    const restored = this.#predictive?.recordProbe(endpoint.baseUrl, {
      atMs,
      latencyMs: atMs - startedAtMs,
      ok,
    });
    if (restored !== undefined) {
      endpoint.setDrained(false);
      this.#announce(restored);
    }
    if (endpoint.recordProbe(ok, atMs)) {
      this.#logger.info({ baseUrl: endpoint.baseUrl }, 'endpoint recovered');
      this.#upEmitter.emit(endpoint.snapshot());
    }
    if (!endpoint.isUp || this.#predictive?.isDrained(endpoint.baseUrl) === true)
      this.#scheduleProbe(endpoint);
  }

  async #probe(baseUrl: string): Promise<boolean> {
    if (this.#raw.probe !== undefined) return this.#raw.probe(baseUrl);
    const { dispatcher } = this.#poolFor('marketData', baseUrl);
    const headers = { accept: 'application/json' };
    const raw = await sendRequest(
      dispatcher,
      { method: 'GET', path: this.#options.probePath, headers },
      this.#sendOptions(baseUrl),
    );
    return raw.statusCode < 500;
  }

  stats(): ConnectionPoolStats {
    const groups = Object.fromEntries(
      ENDPOINT_GROUPS.map((group) => {
        const queue = this.#queues.get(group);
        return [group, { queueDepth: queue?.queuedCount ?? 0, running: queue?.runningCount ?? 0 }];
      }),
    ) as ConnectionPoolStats['groups'];
    const bulkheads = Object.fromEntries(
      [...this.#queues].map(([group, queue]) => [group, queue.stats()]),
    ) as Record<EndpointGroup, BulkheadStats>;
    const hosts: HostGroupStats[] = [];
    for (const endpoint of this.#endpoints)
      for (const group of ENDPOINT_GROUPS) {
        const s = this.#pools.get(`${group} ${endpoint.baseUrl}`)?.pool()?.stats;
        hosts.push({
          baseUrl: endpoint.baseUrl,
          group,
          connected: s?.connected ?? 0,
          free: s?.free ?? 0,
          pending: s?.pending ?? 0,
          queued: s?.queued ?? 0,
          running: s?.running ?? 0,
        });
      }
    return {
      groups,
      bulkheads,
      hosts,
      endpoints: this.#endpoints.map((endpoint) => endpoint.snapshot()),
      predictiveActions: this.#predictive?.recentActions() ?? [],
    };
  }

  /** Stops probes and closes every connection; later requests are rejected unsent. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#probeTimers.values()) this.#options.clock.clearTimeout(timer);
    this.#probeTimers.clear();
    for (const queue of this.#queues.values())
      queue.rejectWaiting(
        new RequestNotSentError('connection pool closed while queued', { reason: 'closed' }),
      );
    await Promise.all(
      [...this.#pools.values()].map((host) => host.dispatcher.destroy().catch(() => undefined)),
    );
    this.#pools.clear();
  }
}

function leastRecentlyFailed(endpoints: readonly EndpointHealth[]): EndpointHealth | undefined {
  let best: EndpointHealth | undefined;
  for (const endpoint of endpoints) {
    const failedAtMs = endpoint.snapshot().lastFailureAtMs ?? 0;
    if (best === undefined || failedAtMs < (best.snapshot().lastFailureAtMs ?? 0)) best = endpoint;
  }
  return best;
}
