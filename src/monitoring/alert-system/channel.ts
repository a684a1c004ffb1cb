// A channel delivers notifications. Each one sits behind its own dispatcher: a bounded queue drained one
// at a time through the channel's own policy (breaker, retry, timeout), so a dead channel never delays
// the others or the engine, and every outcome is recorded.
import { assert } from '../../core/assert.js';
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

export interface ChannelDispatcherOptions {
  readonly channel: AlertChannel;
  /** Breaker + retry + timeout for this channel alone. */
  readonly policy?: Policy;
  /** Notifications waiting at most; a full queue drops the oldest and records it. Default 100. */
  readonly queueMax?: number;
}

export class ChannelDispatcher {
  readonly channel: AlertChannel;
  readonly #policy: Policy;
  readonly #queueMax: number;
  readonly #queue: Notification[] = [];
  #draining = false;
  #idle: Promise<void> = Promise.resolve();
  readonly #outcomeEmitter = new EventEmitter<DeliveryOutcome>();
  readonly onOutcome = this.#outcomeEmitter.addListener;

  constructor(options: ChannelDispatcherOptions) {
    this.channel = options.channel;
    this.#policy = options.policy ?? noopPolicyFor();
    this.#queueMax = options.queueMax ?? 100;
    if (!Number.isInteger(this.#queueMax) || this.#queueMax < 1)
      throw new RangeError(`queueMax must be a positive integer, was ${this.#queueMax}`);
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Never waits for delivery. */
  enqueue(notification: Notification): void {
    if (this.#queue.length >= this.#queueMax) {
      const dropped = this.#queue.shift();
      assert(dropped !== undefined, 'full queue had no head');
      this.#emit(dropped, 'dropped', `queue full (${this.#queueMax})`);
    }
    this.#queue.push(notification);
    if (!this.#draining) this.#idle = this.#drain();
  }

  /** Resolves when the queue is empty (for shutdown and tests). */
  async flush(): Promise<void> {
    while (this.#draining || this.#queue.length > 0) await this.#idle;
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
        const notification = next;
        try {
          await this.#policy.execute((context) => this.channel.send(notification, context.signal));
          this.#emit(notification, 'delivered', null);
        } catch (error) {
          this.#emit(notification, 'failed', error instanceof Error ? error.message : String(error));
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  #emit(notification: Notification, outcome: DeliveryOutcome['outcome'], error: string | null): void {
    this.#outcomeEmitter.emit({ channel: this.channel.name, notification, outcome, error });
  }
}
