// What the adapter reports, for metrics, the dashboard and alerts. Every payload is readonly data;
// none carries a request header, so no credential can leak through an event.
import type { CircuitStateKind } from '../../core/circuit-breaker.js';
import type { EndpointGroup } from '../connection-pool/transport.js';
import type { NobitexEndpointName } from '../nobitex-client/endpoints.js';
import type { CacheName } from './adapter-options.js';
import type { CallOutcome } from './error-classes.js';

export interface AdapterCallEvent {
  readonly endpoint: NobitexEndpointName;
  readonly group: EndpointGroup;
  readonly outcome: CallOutcome;
  /** From the call to its answer, waits and retries included, ms. */
  readonly durationMs: number;
  /** Attempts made; 0 when refused before the first (breaker open). */
  readonly attempts: number;
}

export interface AdapterRetryEvent {
  readonly endpoint: NobitexEndpointName;
  /** The attempt that failed, 1-based. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly outcome: CallOutcome;
}

export interface AdapterRejectionEvent {
  readonly endpoint: NobitexEndpointName;
  /** Nobitex's code: `SmallOrder`, `OverValueOrder`, … */
  readonly exchangeCode: string;
  readonly message: string;
}

export interface AdapterBreakerEvent {
  readonly group: EndpointGroup;
  readonly from: CircuitStateKind;
  readonly to: CircuitStateKind;
  readonly reason: string;
  readonly atMs: number;
}

export interface AdapterCacheEvent {
  readonly cache: CacheName;
  readonly key: string;
  readonly kind: 'hit' | 'miss' | 'stale';
  /** Age of the value served stale, ms. */
  readonly ageMs?: number;
}

export interface AdapterRateLimitWaitEvent {
  /** The budget key that made the call wait. */
  readonly key: string;
  readonly retryAfterMs: number;
}

export interface AdapterRateLimitRejectEvent extends AdapterRateLimitWaitEvent {
  readonly reason: 'budget' | 'penalty' | 'deadline' | 'waitersFull';
}

export interface AdapterRateLimitPenaltyEvent {
  readonly key: string;
  /** The back-off the exchange asked for, ms. */
  readonly requestedMs: number;
  /** The penalty applied (cut to penaltyMaxMs), ms. */
  readonly backOffMs: number;
  readonly untilMs: number;
}
