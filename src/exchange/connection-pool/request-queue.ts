// The bulkhead in front of one endpoint group's connections: a core/bulkhead whose limits are the
// group's settings, whose priorities are the request's, and whose refusals are requests proven unsent.
// Undici's own queue stays nearly empty, so our priorities decide what is sent next.
import { BulkheadPolicy, type BulkheadStats } from '../../core/bulkhead.js';
import type { Clock } from '../../core/clock.js';
import { isAbortedError, isBulkheadRejectedError } from '../../core/errors.js';
import type { AbortSignalLike } from '../../core/policy.js';
import { RequestNotSentError } from './errors.js';
import type { RequestPriority } from './transport.js';

export interface RequestQueueOptions {
  /** Label used in error messages (the endpoint group). */
  readonly name: string;
  /** Requests running at once; the rest wait. */
  readonly concurrencyMax: number;
  /** Requests waiting at once; one more is rejected immediately. */
  readonly queuedMax: number;
  /** Longest wait when the caller gives no deadline, ms. */
  readonly queueWaitMaxMs: number;
  readonly clock: Clock;
}

export interface QueueTicket {
  readonly priority: RequestPriority;
  readonly deadlineMs?: number;
  readonly signal?: AbortSignalLike;
}

/** Bulkhead priorities: higher leaves the queue first. */
const PRIORITY_RANK: Readonly<Record<RequestPriority, number>> = { high: 2, normal: 1, low: 0 };

export class RequestQueue {
  readonly #name: string;
  readonly #bulkhead: BulkheadPolicy;

  constructor(options: RequestQueueOptions) {
    for (const key of ['concurrencyMax', 'queuedMax', 'queueWaitMaxMs'] as const) {
      const value = options[key];
      if (!Number.isInteger(value) || value < (key === 'concurrencyMax' ? 1 : 0))
        throw new RangeError(`${key} must be a non-negative integer (concurrencyMax ≥ 1), was ${value}`);
    }
    this.#name = options.name;
    this.#bulkhead = new BulkheadPolicy({
      concurrentMax: options.concurrencyMax,
      queueMax: options.queuedMax,
      queueWaitMaxMs: options.queueWaitMaxMs,
      clock: options.clock,
    });
  }

  get runningCount(): number {
    return this.#bulkhead.stats().running;
  }

  get queuedCount(): number {
    return this.#bulkhead.stats().queued;
  }

  stats(): BulkheadStats {
    return this.#bulkhead.stats();
  }

  /** Lowers the requests running at once below concurrencyMax (throttling); undefined lifts it. */
  limitConcurrency(limit: number | undefined): void {
    this.#bulkhead.limitConcurrency(limit);
  }

  /** Runs `task` when a slot is free, highest priority first, FIFO within a priority. */
  async run<T>(task: () => Promise<T>, ticket: QueueTicket): Promise<T> {
    let started = false;
    try {
      return await this.#bulkhead.run(
        () => {
          started = true;
          return task();
        },
        ticket.signal,
        {
          priority: PRIORITY_RANK[ticket.priority],
          ...(ticket.deadlineMs === undefined ? {} : { queueWaitMaxMs: ticket.deadlineMs }),
        },
      );
    } catch (error) {
      throw started ? error : this.#notSent(error);
    }
  }

  /** Rejects every waiting request unsent (the pool is closing); running ones finish on their own. */
  rejectWaiting(error: Error): void {
    this.#bulkhead.rejectWaiting(error);
  }

  /** A refusal before the task started: the request was never sent. */
  #notSent(error: unknown): unknown {
    const name = this.#name;
    if (isAbortedError(error))
      return new RequestNotSentError(`${name}: ${error.message}`, { reason: 'aborted' });
    if (!isBulkheadRejectedError(error)) return error;
    const stats = this.#bulkhead.stats();
    if (error.reason === 'queueFull')
      return new RequestNotSentError(
        `${name}: request queue full (${stats.queued} waiting, max ${stats.queueMax})`,
        { reason: 'queueFull' },
      );
    return new RequestNotSentError(`${name}: ${error.message}`, { reason: 'queueDeadline' });
  }
}
