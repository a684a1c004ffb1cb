// A durable message bus on the Database (outbox pattern). publish() inserts a row, optionally inside
// the caller's transaction, so "record the signal + enqueue its processing" is one commit. Consumers
// in this process are woken at once; other processes find the row at their next poll.
import { randomUUID } from 'node:crypto';
import { assert } from '../core/assert.js';
import { type Clock, systemClock } from '../core/clock.js';
import { EventEmitter } from '../core/events.js';
import { type Logger, silentLogger } from '../logging/logger.js';
import type { Database, Queryable } from '../storage/database.js';
import {
  listQuarantined,
  purgeDone,
  type QuarantinedMessage,
  requeueMessage,
  type TopicStats,
  topicStats,
} from './message-admin.js';
import {
  type BusMessage,
  expireLeases,
  insertMessage,
  type PublishMessage,
  serializePayload,
} from './message-store.js';
import { type MessageHandler, Subscription, type SubscriptionStats } from './subscription.js';
import type { SubscribeOptions } from './subscription-options.js';

export interface MessageBusOptions {
  /** Migrated with busMigrations. */
  readonly db: Database;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Names this process in lease_owner, for operators. Default: a random UUID. */
  readonly instanceId?: string;
  /** Largest serialized payload accepted, bytes. Default 65536. */
  readonly payloadSizeBytesMax?: number;
  /** Subscriptions this bus accepts. Default 64. */
  readonly subscriptionsMax?: number;
}

export interface QuarantineEvent {
  readonly message: BusMessage;
  readonly error: unknown;
}

export interface BusStats {
  readonly topics: Readonly<Record<string, TopicStats>>;
  readonly subscriptions: readonly SubscriptionStats[];
}

const ID_LENGTH_MAX = 200;

export class MessageBus {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #instanceId: string;
  readonly #payloadSizeBytesMax: number;
  readonly #subscriptionsMax: number;
  readonly #subscriptions = new Set<Subscription>();
  readonly #quarantineEmitter = new EventEmitter<QuarantineEvent>();
  #subscriptionCount = 0;

  /** A message went to quarantine after attemptsMax deliveries: raise an alert; requeue() takes it back. */
  readonly onQuarantine = this.#quarantineEmitter.addListener;

  constructor(options: MessageBusOptions) {
    this.#db = options.db;
    this.#clock = options.clock ?? systemClock;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'bus' });
    this.#instanceId = options.instanceId ?? randomUUID();
    this.#payloadSizeBytesMax = options.payloadSizeBytesMax ?? 65_536;
    this.#subscriptionsMax = options.subscriptionsMax ?? 64;
    if (!Number.isInteger(this.#payloadSizeBytesMax) || this.#payloadSizeBytesMax < 2)
      throw new RangeError(`payloadSizeBytesMax must be an integer >= 2, was ${this.#payloadSizeBytesMax}`);
    if (!Number.isInteger(this.#subscriptionsMax) || this.#subscriptionsMax < 1)
      throw new RangeError(`subscriptionsMax must be an integer >= 1, was ${this.#subscriptionsMax}`);
  }

  /**
   * Enqueues a message; false when its id was published before (idempotent). With `tx`, the row
   * commits or rolls back with the caller's transaction, and the caller calls notify() after commit.
   */
  async publish(message: PublishMessage, tx?: Queryable): Promise<boolean> {
    checkName('id', message.id);
    checkName('topic', message.topic);
    checkName('partitionKey', message.partitionKey);
    const payloadText = serializePayload(message.payload);
    const sizeBytes = Buffer.byteLength(payloadText);
    if (sizeBytes > this.#payloadSizeBytesMax)
      throw new RangeError(`payload must be at most ${this.#payloadSizeBytesMax} bytes, was ${sizeBytes}`);
    const inserted = await insertMessage(tx ?? this.#db, message, payloadText, this.#clock.nowMs());
    if (tx === undefined && inserted) this.notify(message.topic, message.partitionKey);
    return inserted;
  }

  /**
   * Wakes local consumers of `topic` (all topics when omitted) to claim now. With `partitionKey`, a
   * consumer that holds a message of that key stays asleep: the key's next message can only follow
   * that one, and its settle claims or wakes for what is due then.
   */
  notify(topic?: string, partitionKey?: string): void {
    for (const subscription of this.#subscriptions)
      if (topic === undefined || subscription.topic === topic) subscription.wake(partitionKey);
  }

  subscribe(topic: string, handler: MessageHandler, options?: SubscribeOptions): Subscription {
    checkName('topic', topic);
    if (this.#subscriptions.size >= this.#subscriptionsMax)
      throw new RangeError(
        `subscriptions must be at most ${this.#subscriptionsMax}, was ${this.#subscriptions.size + 1}`,
      );
    this.#subscriptionCount += 1;
    const subscription = new Subscription(
      topic,
      handler,
      {
        db: this.#db,
        clock: this.#clock,
        logger: this.#logger.child({ topic }),
        leaseOwner: `${this.#instanceId}/${topic}/${this.#subscriptionCount}`,
        onQuarantine: (event) => this.#quarantineEmitter.emit(event),
      },
      options,
    );
    this.#subscriptions.add(subscription);
    return subscription;
  }

  /** Stops one subscription (see Subscription.stop) and forgets it. */
  async unsubscribe(subscription: Subscription, timeoutMs?: number): Promise<{ drained: boolean }> {
    const result = await subscription.stop(timeoutMs);
    this.#subscriptions.delete(subscription);
    return result;
  }

  /** Stops every subscription; true when all handlers finished within timeoutMs. */
  async stop(timeoutMs?: number): Promise<{ drained: boolean }> {
    const results = await Promise.all([...this.#subscriptions].map((s) => this.unsubscribe(s, timeoutMs)));
    return { drained: results.every((result) => result.drained) };
  }

  async stats(): Promise<BusStats> {
    return {
      topics: await topicStats(this.#db, this.#clock.nowMs()),
      subscriptions: [...this.#subscriptions].map((subscription) => subscription.stats()),
    };
  }

  /**
   * Makes messages leased by a previous (dead) consumer claimable now instead of after their lease.
   * Call only before subscribing, as the topic's sole consumer: one process, or the trading leader.
   */
  async expireLeases(topic: string): Promise<number> {
    assert(
      ![...this.#subscriptions].some((subscription) => subscription.stats().topic === topic),
      'expireLeases while subscribed',
    );
    const expired = await expireLeases(this.#db, topic, this.#clock.nowMs());
    if (expired > 0)
      this.#logger.warn({ topic, expired }, 'took over messages leased by a previous consumer');
    return expired;
  }

  /** Takes a quarantined message back for delivery (operator action). False when not quarantined. */
  async requeue(id: string): Promise<boolean> {
    const requeued = await requeueMessage(this.#db, id, this.#clock.nowMs());
    if (requeued) this.notify();
    return requeued;
  }

  listQuarantined(limit = 100): Promise<QuarantinedMessage[]> {
    return listQuarantined(this.#db, limit);
  }

  /**
   * Deletes done messages older than retentionMs, at most `limit` per call. A purged id can be
   * published again, so keep retention longer than any publisher's retry window.
   */
  purgeDone(retentionMs: number, limit = 10_000): Promise<number> {
    return purgeDone(this.#db, this.#clock.nowMs() - retentionMs, limit);
  }
}

function checkName(field: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > ID_LENGTH_MAX)
    throw new RangeError(
      `${field} must be a string of 1..${ID_LENGTH_MAX} characters, was ${JSON.stringify(value)}`,
    );
}
