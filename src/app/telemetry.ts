// Watches the components' events and keeps what the dashboard, the metrics and the status API show:
// bounded rings of latency points, breaker transitions, order counts per minute and verification times.
import type { Clock } from '../core/clock.js';
import { EventEmitter } from '../core/events.js';
import type { EnhancedNobitexAdapter } from '../exchange/enhanced-nobitex-adapter/enhanced-nobitex-adapter.js';
import { isTerminal } from '../exchange/order-journal/order-state.js';
import type { TransitionEvent } from '../exchange/transaction-verification/transaction-verifier.js';
import type { BreakerStateName, StatusEvent, TimeseriesView } from '../monitoring/api/status-source.js';
import { BREAKER_STATE_VALUES, type Metrics } from '../monitoring/metrics.js';

const LATENCY_POINTS_MAX = 600;
const BREAKER_POINTS_MAX = 300;
const TRANSITIONS_PER_BREAKER_MAX = 20;
const ORDER_MINUTES_MAX = 120;
const DURATIONS_MAX = 1_000;

interface BreakerTransition {
  readonly from: BreakerStateName;
  readonly to: BreakerStateName;
  readonly atMs: number;
}

export class Telemetry {
  readonly #clock: Clock;
  readonly #metrics: Metrics;
  readonly #latency: { atMs: number; endpoint: string; latencyMs: number }[] = [];
  readonly #breakerPoints: { name: string; atMs: number; state: BreakerStateName }[] = [];
  readonly #transitions = new Map<string, BreakerTransition[]>();
  readonly #ordersPerMinute = new Map<number, number>();
  readonly #durationsMs: number[] = [];
  readonly #terminalCounts = { verified: 0, total: 0 };
  readonly #eventEmitter = new EventEmitter<StatusEvent>();
  readonly events = this.#eventEmitter.addListener;

  constructor(clock: Clock, metrics: Metrics) {
    this.#clock = clock;
    this.#metrics = metrics;
  }

  watchAdapter(adapter: EnhancedNobitexAdapter): void {
    adapter.onCall((call) => {
      this.#metrics.exchangeRequestSeconds.observe(
        { endpoint: call.endpoint, outcome: call.outcome },
        call.durationMs / 1_000,
      );
      push(
        this.#latency,
        { atMs: this.#clock.nowMs(), endpoint: call.endpoint, latencyMs: call.durationMs },
        LATENCY_POINTS_MAX,
      );
    });
    adapter.onBreakerStateChange((change) => {
      const from = change.from as BreakerStateName;
      const to = change.to as BreakerStateName;
      this.#metrics.breakerState.set({ breaker: change.group }, BREAKER_STATE_VALUES[to]);
      this.#metrics.breakerTransitions.inc({ breaker: change.group, to });
      const list = this.#transitions.get(change.group) ?? [];
      push(list, { from, to, atMs: change.atMs }, TRANSITIONS_PER_BREAKER_MAX);
      this.#transitions.set(change.group, list);
      push(this.#breakerPoints, { name: change.group, atMs: change.atMs, state: to }, BREAKER_POINTS_MAX);
      this.emit('breaker', { name: change.group, from, to, reason: change.reason, atMs: change.atMs });
    });
    adapter.onRetry((retry) => this.#metrics.exchangeRetries.inc({ endpoint: retry.endpoint }));
    adapter.onRejection((rejection) =>
      this.#metrics.exchangeRejections.inc({ endpoint: rejection.endpoint, code: rejection.exchangeCode }),
    );
    adapter.onCache((event) => this.#metrics.cacheRequests.inc({ cache: event.cache, result: event.kind }));
    adapter.onRateLimitPenalty((penalty) => {
      this.#metrics.rateLimitBackoffs.inc({ budget: penalty.key });
      this.emit('rateLimit', { budget: penalty.key, backOffMs: penalty.backOffMs, untilMs: penalty.untilMs });
    });
  }

  /** Called for every order transition (from the verifier). */
  orderTransition(event: TransitionEvent): void {
    this.#metrics.orderTransitions.inc({ state: event.to });
    if (event.from === 'PREPARED' && event.to === 'SUBMITTING') {
      const minute = Math.floor(this.#clock.nowMs() / 60_000) * 60_000;
      this.#ordersPerMinute.set(minute, (this.#ordersPerMinute.get(minute) ?? 0) + 1);
      while (this.#ordersPerMinute.size > ORDER_MINUTES_MAX) {
        const oldest = this.#ordersPerMinute.keys().next().value;
        if (oldest === undefined) break;
        this.#ordersPerMinute.delete(oldest);
      }
    }
    if (isTerminal(event.to)) {
      const durationMs = this.#clock.nowMs() - event.intent.createdAtMs;
      this.#metrics.verificationSeconds.observe({ state: event.to }, durationMs / 1_000);
      push(this.#durationsMs, durationMs, DURATIONS_MAX);
      this.#terminalCounts.total++;
      if (event.to === 'FILLED' || event.intent.filledAmount.gt(0) || event.to === 'REJECTED')
        this.#terminalCounts.verified++;
    }
    this.emit('order', {
      id: event.intent.id,
      signalId: event.intent.signalId,
      from: event.from,
      to: event.to,
      cause: event.cause,
      filledAmount: event.intent.filledAmount.toFixed(),
    });
  }

  emit(type: string, data: unknown): void {
    this.#eventEmitter.emit({ type, data });
  }

  breakerTransitions(name: string): readonly BreakerTransition[] {
    return this.#transitions.get(name) ?? [];
  }

  verification(): { successRate: number | null; p50Ms: number | null; p99Ms: number | null } {
    const sorted = [...this.#durationsMs].sort((a, b) => a - b);
    const at = (q: number) =>
      sorted.length === 0
        ? null
        : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? null);
    const { verified, total } = this.#terminalCounts;
    return { successRate: total === 0 ? null : verified / total, p50Ms: at(0.5), p99Ms: at(0.99) };
  }

  timeseries(): TimeseriesView {
    return {
      latency: [...this.#latency],
      orders: [...this.#ordersPerMinute.entries()].map(([atMs, count]) => ({ atMs, count })),
      breakerStates: [...this.#breakerPoints],
    };
  }
}

function push<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}
