// A channel delivers notifications. Each one sits behind its own dispatcher: a core/bulkhead (a
// bounded queue that drops its oldest notification when full, drained concurrentMax at a time) in
// front of the channel's own policy (breaker, retry, timeout), so a dead or slow channel never delays
// the others or the engine, and every outcome is recorded.
import { BulkheadPolicy, type BulkheadStats } from '../../core/bulkhead.js';
import type { Clock } from '../../core/clock.js';
import { isBulkheadRejectedError } from '../../core/errors.js';
import { EventEmitter } from '../../core/events.js';
import type { Policy } from '../../core/policy.js';
import type { Notification } from './alert.js';
import { noopPolicyFor } from './noop-policy.js';

export interface AlertChannel {
  readonly name: string;
  /** Delivers or throws; may resolve with what the peer answered (`keel alerts test` prints it). */
  // biome-ignore lint/suspicious/noConfusingVoidType: a channel with nothing to report returns nothing.
  send(notification: Notification, signal: AbortSignal): Promise<string | void>;
}

export interface DeliveryOutcome {
  readonly channel: string;
  readonly notification: Notification;
  readonly outcome: 'delivered' | 'failed' | 'dropped';
  readonly error: string | null;
}

/** The limits of one channel's bulkhead (the bulkheads.alertChannels settings). */
export interface ChannelBulkheadLimits {
  /** Notifications being sent at once. */
  readonly concurrentMax: number;
  /** Notifications waiting at most; a full queue drops the oldest and records it. */
  readonly queueMax: number;
  /** A notification waiting longer is dropped and recorded, ms. */
  readonly queueWaitMaxMs: number;
}

/** One at a time, so a channel's messages arrive in order; 100 waiting; 5 minutes' wait. */
export const CHANNEL_BULKHEAD_DEFAULTS: ChannelBulkheadLimits = {
  concurrentMax: 1,
  queueMax: 100,
  queueWaitMaxMs: 300_000,
};

export interface ChannelDispatcherOptions {
  readonly channel: AlertChannel;
  /** Breaker + retry + timeout for this channel alone. */
  readonly policy?: Policy;
  /** This channel's bulkhead; default CHANNEL_BULKHEAD_DEFAULTS. */
  readonly limits?: ChannelBulkheadLimits;
  /** Time source of the queue wait; default systemClock. */
  readonly clock?: Clock;
}

export class ChannelDispatcher {
  readonly channel: AlertChannel;
  readonly #policy: Policy;
  readonly #bulkhead: BulkheadPolicy;
  readonly #pending = new Set<Promise<void>>();
  readonly #outcomeEmitter = new EventEmitter<DeliveryOutcome>();
  readonly onOutcome = this.#outcomeEmitter.addListener;

  constructor(options: ChannelDispatcherOptions) {
    this.channel = options.channel;
    this.#policy = options.policy ?? noopPolicyFor();
    const limits = options.limits ?? CHANNEL_BULKHEAD_DEFAULTS;
    if (limits.queueMax < 1) throw new RangeError(`queueMax must be at least 1, was ${limits.queueMax}`);
    this.#bulkhead = new BulkheadPolicy({
      ...limits,
      overflow: 'dropOldest',
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
  }

  get queued(): number {
    return this.#bulkhead.stats().queued;
  }

  /** Running and queued notifications, limits and drops (for the dashboard and metrics). */
  stats(): BulkheadStats {
    return this.#bulkhead.stats();
  }

  /** Never waits for delivery. */
  enqueue(notification: Notification): void {
    const delivery = this.#deliver(notification).finally(() => this.#pending.delete(delivery));
    this.#pending.add(delivery);
  }

  /** Resolves when nothing is queued or being sent (for shutdown and tests). */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  async #deliver(notification: Notification): Promise<void> {
    try {
      await this.#bulkhead.execute((outer) =>
        this.#policy.execute((context) => this.channel.send(notification, context.signal), outer.signal),
      );
      this.#emit(notification, 'delivered', null);
    } catch (error) {
      const dropped = isBulkheadRejectedError(error);
      this.#emit(notification, dropped ? 'dropped' : 'failed', this.#describe(error));
    }
  }

  #describe(error: unknown): string {
    if (!isBulkheadRejectedError(error)) return error instanceof Error ? error.message : String(error);
    const { queueMax } = this.#bulkhead.stats();
    return error.reason === 'queueWaitTimeout' ? 'waited too long in the queue' : `queue full (${queueMax})`;
  }

  #emit(notification: Notification, outcome: DeliveryOutcome['outcome'], error: string | null): void {
    this.#outcomeEmitter.emit({ channel: this.channel.name, notification, outcome, error });
  }
}
