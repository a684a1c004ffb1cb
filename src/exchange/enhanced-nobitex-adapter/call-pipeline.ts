// Every exchange call, outer to inner: circuit breaker per endpoint group → retry (per-endpoint
// table) → rate-limit gate per attempt (budget + 429 penalty) → timeout per attempt → the client.
// The gate sits inside retry so that every attempt, retries included, spends budget and respects a
// penalty; an open breaker refuses before any budget is spent.

import { DecorrelatedJitterBackoff } from '../../core/backoff/decorrelated-jitter-backoff.js';
import { CircuitBreakerPolicy } from '../../core/circuit-breaker.js';
import type { Clock } from '../../core/clock.js';
import { EventEmitter } from '../../core/events.js';
import type { Policy } from '../../core/policy.js';
import type { Rng } from '../../core/random.js';
import type { RateLimiter } from '../../core/rate-limiter/rate-limiter.js';
import { RetryPolicy } from '../../core/retry.js';
import { TimeoutPolicy } from '../../core/timeout.js';
import { addTraceAttributes, inSpan, type SpanOptions } from '../../core/tracing.js';
import { type WrappedPolicy, wrap } from '../../core/wrap.js';
import { ENDPOINT_GROUPS, type EndpointGroup } from '../connection-pool/transport.js';
import { isBusinessRejectionError } from '../errors.js';
import { NOBITEX_ENDPOINTS, type NobitexEndpointName } from '../nobitex-client/endpoints.js';
import type { CallOptions } from '../nobitex-client/nobitex-client.js';
import type {
  AdapterBreakerEvent,
  AdapterCallEvent,
  AdapterRejectionEvent,
  AdapterRetryEvent,
} from './adapter-events.js';
import type { ResolvedAdapterOptions } from './adapter-options.js';
import { GrowingBreakBackoff } from './break-backoff.js';
import { createBreakerStrategy } from './breaker-strategy.js';
import { EndpointGatePolicy } from './endpoint-gate.js';
import { callOutcomeOf, isBreakerFailure } from './error-classes.js';
import { exchangeRetryTable } from './exchange-retry-table.js';

export interface CallPipelineOptions {
  readonly options: ResolvedAdapterOptions;
  readonly limiter: RateLimiter;
  readonly clock: Clock;
  readonly rng: Rng;
  /** Wraps a group's local breaker, e.g. in a SharedBreaker; default the breaker itself. */
  readonly breakerFactory?: BreakerFactory;
}

/** The policy a group's calls pass first, built around that group's local breaker. */
export type BreakerFactory = (group: EndpointGroup, breaker: CircuitBreakerPolicy) => Policy;

const ENDPOINT_NAMES = Object.keys(NOBITEX_ENDPOINTS) as NobitexEndpointName[];

interface EndpointSpan {
  readonly name: string;
  readonly options: SpanOptions;
}

/** Each endpoint's span name and options, made once rather than on every call. */
const SPANS: Readonly<Record<NobitexEndpointName, EndpointSpan>> = Object.fromEntries(
  ENDPOINT_NAMES.map((name): [NobitexEndpointName, EndpointSpan] => [
    name,
    {
      name: `keel.exchange.${name}`,
      options: {
        kind: 'client',
        attributes: { 'keel.exchange.endpoint': name, 'keel.exchange.group': NOBITEX_ENDPOINTS[name].group },
      },
    },
  ]),
) as Record<NobitexEndpointName, EndpointSpan>;

export class CallPipeline {
  readonly #callEmitter = new EventEmitter<AdapterCallEvent>();
  readonly #retryEmitter = new EventEmitter<AdapterRetryEvent>();
  readonly #rejectionEmitter = new EventEmitter<AdapterRejectionEvent>();
  readonly #breakerEmitter = new EventEmitter<AdapterBreakerEvent>();

  readonly onCall = this.#callEmitter.addListener;
  readonly onRetry = this.#retryEmitter.addListener;
  readonly onRejection = this.#rejectionEmitter.addListener;
  readonly onBreakerStateChange = this.#breakerEmitter.addListener;

  readonly breakers: ReadonlyMap<EndpointGroup, CircuitBreakerPolicy>;
  readonly #policies: ReadonlyMap<NobitexEndpointName, WrappedPolicy>;
  readonly #options: ResolvedAdapterOptions;
  readonly #clock: Clock;

  constructor(options: CallPipelineOptions) {
    const { clock } = options;
    this.#options = options.options;
    this.#clock = clock;
    this.breakers = new Map(ENDPOINT_GROUPS.map((group) => [group, this.#createBreaker(group)]));
    const outer = new Map(
      [...this.breakers].map(([group, breaker]) => [
        group,
        options.breakerFactory === undefined ? breaker : options.breakerFactory(group, breaker),
      ]),
    );
    const timeouts = new Map(
      ENDPOINT_GROUPS.map((group) => [
        group,
        new TimeoutPolicy({ durationMs: this.#options.timeoutMs[group], strategy: 'cooperative', clock }),
      ]),
    );
    this.#policies = new Map(
      ENDPOINT_NAMES.map((name) => {
        const endpoint = NOBITEX_ENDPOINTS[name];
        const breaker = outer.get(endpoint.group);
        const timeout = timeouts.get(endpoint.group);
        if (breaker === undefined || timeout === undefined)
          throw new RangeError(`no group ${endpoint.group}`);
        const gate = new EndpointGatePolicy({
          limiter: options.limiter,
          key: endpoint.rateLimit.key,
          waitMaxMs: this.#options.rateLimitWaitMaxMs,
        });
        return [name, wrap(breaker, this.#createRetry(name, options.rng), gate, timeout)];
      }),
    );
  }

  /**
   * Runs `fn` through the endpoint's policies; `fn` gets the attempt's signal and queue deadline.
   * One span per call, retries included, below the signal's or order's span when there is one.
   */
  execute<T>(
    name: NobitexEndpointName,
    fn: (callOptions: CallOptions) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const span = SPANS[name];
    return inSpan(span.name, span.options, () => this.#execute(name, fn, signal));
  }

  async #execute<T>(
    name: NobitexEndpointName,
    fn: (callOptions: CallOptions) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const policy = this.#policies.get(name);
    if (policy === undefined) throw new RangeError(`unknown endpoint, was ${name}`);
    const { group } = NOBITEX_ENDPOINTS[name];
    const deadlineMs = this.#options.timeoutMs[group];
    const startedAtMs = this.#clock.nowMs();
    let attempts = 0;
    try {
      const result = await policy.execute((context) => {
        attempts = context.attempt ?? 1;
        // The timeout layer's light signal aborts exactly when its AbortSignal would, without one per call.
        return fn({ signal: context.lightSignal ?? context.signal, deadlineMs });
      }, signal);
      this.#emitCall(name, 'ok', startedAtMs, attempts);
      return result;
    } catch (error) {
      this.#emitCall(name, callOutcomeOf(error), startedAtMs, attempts);
      if (isBusinessRejectionError(error))
        this.#rejectionEmitter.emit({
          endpoint: name,
          exchangeCode: error.exchangeCode,
          message: error.message,
        });
      throw error;
    }
  }

  #emitCall(
    name: NobitexEndpointName,
    outcome: AdapterCallEvent['outcome'],
    startedAtMs: number,
    attempts: number,
  ) {
    const { group } = NOBITEX_ENDPOINTS[name];
    const durationMs = Math.max(0, this.#clock.nowMs() - startedAtMs);
    addTraceAttributes({ 'keel.exchange.outcome': outcome, 'keel.exchange.attempts': attempts });
    this.#callEmitter.emit({ endpoint: name, group, outcome, durationMs, attempts });
  }

  #createBreaker(group: EndpointGroup): CircuitBreakerPolicy {
    const o = this.#options.breakers[group];
    const breaker = new CircuitBreakerPolicy({
      breaker: createBreakerStrategy(o, this.#clock),
      breakBackoff: new GrowingBreakBackoff({
        delayInitialMs: o.breakDurationMs,
        delayMaxMs: o.breakDelayMaxMs,
      }),
      halfOpenProbesMax: o.halfOpenProbesMax,
      slowCallDurationMs: o.slowCallDurationMs,
      isFailure: isBreakerFailure,
      clock: this.#clock,
    });
    breaker.onStateChange((change) => this.#breakerEmitter.emit({ group, ...change }));
    return breaker;
  }

  #createRetry(name: NobitexEndpointName, rng: Rng): RetryPolicy {
    const { idempotent } = NOBITEX_ENDPOINTS[name];
    const o = idempotent ? this.#options.retryReads : this.#options.retryWrites;
    const retry = new RetryPolicy({
      attemptsMax: o.attemptsMax,
      elapsedMaxMs: o.elapsedMaxMs,
      backoff: new DecorrelatedJitterBackoff({
        delayInitialMs: o.delayInitialMs,
        delayMaxMs: o.delayMaxMs,
        rng,
      }),
      classify: exchangeRetryTable({ idempotent }),
      clock: this.#clock,
      rng,
    });
    retry.onRetry((event) =>
      this.#retryEmitter.emit({
        endpoint: name,
        attempt: event.attempt,
        delayMs: event.delayMs,
        outcome: callOutcomeOf(event.error),
      }),
    );
    return retry;
  }
}
