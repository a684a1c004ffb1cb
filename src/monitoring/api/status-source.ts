// What the app provides to the dashboard and its API. Every method is async and returns plain,
// JSON-safe data: decimals are strings (money is never a float), instants are epoch ms.
import type { Event } from '../../core/events.js';
import type { EngineMode } from '../../engine/kill-switch.js';
import type { Alert, AlertState, Severity } from '../alert-system/alert.js';
import type { AnomalyFlag } from '../anomaly/anomaly-detector.js';
import type { HealthStatus } from '../health-registry.js';

export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

export type BreakerStateName = 'closed' | 'open' | 'halfOpen' | 'isolated';

export interface InstanceView {
  readonly id: string;
  /** True while this instance holds the trading lease; absent on a single machine. */
  readonly leader?: boolean;
  /** The instance holding the trading lease, when there is a lease; null while nobody holds it. */
  readonly leaderId?: string | null;
  readonly startedAtMs: number;
  readonly version: string;
  readonly mode: 'paper' | 'live';
}

export interface EngineModeView {
  readonly mode: EngineMode;
  readonly changedBy: string | null;
  readonly reason: string | null;
  readonly changedAtMs: number | null;
}

export interface HealthView {
  readonly status: HealthStatus;
  readonly checks: readonly {
    readonly name: string;
    readonly component: string;
    readonly status: HealthStatus;
    readonly reason: string | null;
  }[];
}

export interface BreakerView {
  readonly name: string;
  readonly state: BreakerStateName;
  readonly recentTransitions: readonly {
    readonly from: BreakerStateName;
    readonly to: BreakerStateName;
    readonly atMs: number;
  }[];
  /** Share of failed calls in the breaker's window, 0..1. */
  readonly failureRate: number;
  /** Calls refused while open, since start. */
  readonly rejections: number;
}

export interface PoolView {
  readonly hosts: readonly {
    readonly origin: string;
    readonly connected: number;
    readonly free: number;
    readonly pending: number;
    readonly queued: number;
    readonly running: number;
    readonly size: number;
  }[];
  readonly endpoints: readonly {
    readonly baseUrl: string;
    readonly healthy: boolean;
    readonly latencyEwmaMs: number;
    /** 0..1. */
    readonly errorRate: number;
    /** Predictive recovery moved its traffic away until probes show it healthy. */
    readonly drained?: boolean;
  }[];
  /** Predictive recovery's latest actions, oldest first, each with the trend that caused it. */
  readonly predictiveActions?: readonly PredictiveActionView[];
}

export interface PredictiveActionView {
  readonly action: string;
  readonly baseUrl: string;
  readonly atMs: number;
  readonly reason: string;
  readonly latencyNowMs: number;
  readonly slopeMsPerS: number;
  readonly forecastMs: number;
  readonly horizonMs: number;
  readonly errorShare: number;
  readonly thresholdMs: number;
  /** Whose trend caused it: `endpoint` (all groups) or one group. */
  readonly scope?: string;
}

export interface RateLimitView {
  readonly budget: string;
  readonly windows: readonly {
    readonly limit: number;
    readonly windowMs: number;
    readonly used: number;
    readonly remaining: number;
  }[];
  /** Set while the exchange asked us to back off (429), else null. */
  readonly penaltyUntilMs: number | null;
}

/** One bulkhead: the calls it runs and holds, its limits, and the calls it turned away. */
export interface BulkheadView {
  /** `exchange.orders`, `api`, `alertChannel.console`, `engine`, … */
  readonly name: string;
  readonly running: number;
  readonly queued: number;
  readonly concurrentMax: number;
  /** Calls allowed to run at once now (below concurrentMax while throttled). */
  readonly concurrentLimit: number;
  readonly queueMax: number;
  /** Calls turned away since start (queue full, waited too long, or dropped for a newer one). */
  readonly rejected: number;
}

export interface VerificationView {
  /** Verified orders over all finished ones, 0..1; null before the first. */
  readonly successRate: number | null;
  readonly byState: Readonly<Record<string, number>>;
  readonly durations: { readonly p50Ms: number | null; readonly p99Ms: number | null };
}

/** The WebSocket that pushes fills (absent when disabled); while it is down fills are polled. */
export interface FillStreamView {
  readonly state: string;
  readonly upSinceMs: number | null;
  readonly reconnectCount: number;
  readonly tradesReceived: number;
  readonly ordersReceived: number;
  readonly payloadErrorCount: number;
  readonly lastError: string | null;
}

export interface StatusSnapshot {
  readonly atMs: number;
  readonly instance: InstanceView;
  readonly engineMode: EngineModeView;
  readonly health: HealthView;
  readonly breakers: readonly BreakerView[];
  readonly pool: PoolView;
  readonly rateLimits: readonly RateLimitView[];
  /** Every bulkhead of the instance; absent where the host reports none. */
  readonly bulkheads?: readonly BulkheadView[];
  readonly verification: VerificationView;
  readonly fillStream?: FillStreamView;
  readonly bus: { readonly depth: number; readonly lagMs: number };
}

export type OrderPhase = 'prepare' | 'execute' | 'verify' | 'done';

export interface OrderView {
  readonly id: string;
  readonly signalId: string;
  readonly clientOrderId: string;
  readonly exchangeOrderId: string | null;
  readonly market: string;
  readonly side: 'buy' | 'sell';
  readonly execution: 'limit' | 'market' | 'stop_limit' | 'stop_market';
  readonly state: string;
  readonly amount: string;
  readonly filledAmount: string;
  readonly averagePrice: string | null;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  readonly phase: OrderPhase;
}

export interface SignalView {
  readonly id: string;
  readonly market: string;
  readonly side: 'buy' | 'sell';
  readonly state: string;
  readonly receivedAtMs: number;
  readonly reason: string | null;
}

export interface ListQuery {
  readonly limit: number;
  readonly state?: string;
}

export interface LedgerView {
  readonly currencies: readonly {
    readonly currency: string;
    readonly ledgerBalance: string;
    readonly ledgerBlocked: string;
    readonly exchangeBalance: string | null;
    readonly exchangeBlocked: string | null;
    /** ledger − exchange total as the last reconciliation found it; null before the first one. */
    readonly difference: string | null;
    /** What the last reconciliation did in this currency (match, corrected, breach, skipped, opening). */
    readonly action: string | null;
    readonly lastReconciledAtMs: number | null;
  }[];
  /** The ledger balances and the last reconciliation found it equal to the exchange in every currency. */
  readonly balanced: boolean;
  /** Sum of debits equals sum of credits per asset (the ledger's own invariant). */
  readonly doubleEntryBalanced: boolean;
  /** The last reconciliation that compared wallets; null before the first. */
  readonly reconciliation: {
    readonly runId: string;
    readonly status: string;
    readonly finishedAtMs: number;
    readonly breachCount: number;
  } | null;
  /** The newest anomaly flags on positions, newest first: evidence shown beside the ledger. */
  readonly anomalies?: readonly AnomalyFlagView[];
}

/** One anomaly flag: the series, its baseline, the score, and the recent values it saw. */
export type AnomalyFlagView = AnomalyFlag;

export interface AlertQuery {
  readonly severity?: Severity;
  readonly source?: string;
  readonly state?: AlertState;
  readonly text?: string;
  readonly fromMs?: number;
  readonly toMs?: number;
  readonly limit: number;
}

export type AlertView = Alert;

export interface TimeseriesView {
  readonly latency: readonly {
    readonly atMs: number;
    readonly endpoint: string;
    readonly latencyMs: number;
  }[];
  readonly orders: readonly { readonly atMs: number; readonly count: number }[];
  readonly breakerStates: readonly {
    readonly name: string;
    readonly atMs: number;
    readonly state: BreakerStateName;
  }[];
}

/** Something the server streams to dashboards as `event: <type>`; `type` matches EVENT_TYPE_PATTERN. */
export interface StatusEvent {
  readonly type: string;
  /** JSON-safe: plain objects, arrays, strings, finite numbers, booleans, null. */
  readonly data: unknown;
}

export const EVENT_TYPE_PATTERN = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;

export interface StatusSource {
  status(): Promise<StatusSnapshot>;
  orders(query: ListQuery): Promise<readonly OrderView[]>;
  signals(query: ListQuery): Promise<readonly SignalView[]>;
  ledger(): Promise<LedgerView>;
  alerts(query: AlertQuery): Promise<readonly AlertView[]>;
  /** Undefined when no alert has this id. Idempotent: acknowledging twice keeps the first who/when. */
  acknowledgeAlert(id: string, by: string): Promise<AlertView | undefined>;
  /** Undefined when no alert has this id. */
  resolveAlert(id: string, by: string): Promise<AlertView | undefined>;
  /** Rejects with an error whose `code` is KEEL_ERR_MODE_CHANGE_REFUSED for a refused change. */
  setEngineMode(mode: EngineMode, by: string, reason: string): Promise<EngineModeView>;
  timeseries(): Promise<TimeseriesView>;
  readonly events: Event<StatusEvent>;
}
