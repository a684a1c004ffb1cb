// A bounded priority queue with deadlines in front of one group's connections (the bulkhead).
// Undici's own queue stays nearly empty, so our priorities decide what is sent next.
import type { Clock, TimerHandle } from '../../core/clock.js';
import { RequestNotSentError } from './errors.js';
import { REQUEST_PRIORITIES, type RequestPriority } from './transport.js';

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
  readonly signal?: AbortSignal;
}

interface Waiter {
  readonly start: () => void;
  readonly reject: (error: Error) => void;
  timer: TimerHandle | undefined;
  cleanup: () => void;
}

export class RequestQueue {
  readonly #options: RequestQueueOptions;
  readonly #waiting = new Map<RequestPriority, Waiter[]>(REQUEST_PRIORITIES.map((p) => [p, []]));
  #runningCount = 0;
  #queuedCount = 0;
  #concurrencyLimit: number | undefined;

  constructor(options: RequestQueueOptions) {
    for (const key of ['concurrencyMax', 'queuedMax', 'queueWaitMaxMs'] as const) {
      const value = options[key];
      if (!Number.isInteger(value) || value < (key === 'concurrencyMax' ? 1 : 0))
        throw new RangeError(`${key} must be a non-negative integer (concurrencyMax ≥ 1), was ${value}`);
    }
    this.#options = options;
  }

  get runningCount(): number {
    return this.#runningCount;
  }

  get queuedCount(): number {
    return this.#queuedCount;
  }

  /** Lowers the requests running at once below concurrencyMax (throttling); undefined lifts it. */
  limitConcurrency(limit: number | undefined): void {
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
      throw new RangeError(`limit must be a positive integer, was ${limit}`);
    this.#concurrencyLimit = limit;
    this.#drain();
  }

  get #concurrencyMax(): number {
    return Math.min(this.#options.concurrencyMax, this.#concurrencyLimit ?? Number.MAX_SAFE_INTEGER);
  }

  /** Runs `task` when a slot is free, highest priority first, FIFO within a priority. */
  async run<T>(task: () => Promise<T>, ticket: QueueTicket): Promise<T> {
    await this.#acquire(ticket);
    try {
      return await task();
    } finally {
      this.#runningCount--;
      this.#drain();
    }
  }

  #acquire(ticket: QueueTicket): Promise<void> {
    const name = this.#options.name;
    if (ticket.signal?.aborted)
      return Promise.reject(
        new RequestNotSentError(`${name}: aborted before queueing`, { reason: 'aborted' }),
      );
    if (this.#runningCount < this.#concurrencyMax && this.#queuedCount === 0) {
      this.#runningCount++;
      return Promise.resolve();
    }
    if (this.#queuedCount >= this.#options.queuedMax)
      return Promise.reject(
        new RequestNotSentError(
          `${name}: request queue full (${this.#queuedCount} waiting, max ${this.#options.queuedMax})`,
          {
            reason: 'queueFull',
          },
        ),
      );
    return new Promise<void>((resolve, reject) => this.#enqueue(ticket, resolve, reject));
  }

  #enqueue(ticket: QueueTicket, resolve: () => void, reject: (error: Error) => void): void {
    const list = this.#waiting.get(ticket.priority) ?? [];
    const waitMs = ticket.deadlineMs ?? this.#options.queueWaitMaxMs;
    const name = this.#options.name;
    const remove = (error: Error) => {
      const index = list.indexOf(waiter);
      if (index < 0) return;
      list.splice(index, 1);
      this.#queuedCount--;
      waiter.cleanup();
      reject(error);
    };
    const onAbort = () =>
      remove(new RequestNotSentError(`${name}: aborted while queued`, { reason: 'aborted' }));
    const waiter: Waiter = {
      start: () => {
        waiter.cleanup();
        resolve();
      },
      reject: remove,
      timer: undefined,
      cleanup: () => {
        if (waiter.timer !== undefined) this.#options.clock.clearTimeout(waiter.timer);
        ticket.signal?.removeEventListener('abort', onAbort);
      },
    };
    waiter.timer = this.#options.clock.setTimeout(
      () =>
        remove(
          new RequestNotSentError(`${name}: deadline of ${waitMs} ms passed in the queue`, {
            reason: 'queueDeadline',
          }),
        ),
      waitMs,
    );
    ticket.signal?.addEventListener('abort', onAbort, { once: true });
    list.push(waiter);
    this.#queuedCount++;
  }

  /** Rejects every waiting request unsent (the pool is closing); running ones finish on their own. */
  rejectWaiting(error: Error): void {
    for (const list of this.#waiting.values()) for (const waiter of [...list]) waiter.reject(error);
  }

  #drain(): void {
    while (this.#runningCount < this.#concurrencyMax) {
      const next = this.#takeNext();
      if (next === undefined) return;
      this.#runningCount++;
      next.start();
    }
  }

  #takeNext(): Waiter | undefined {
    for (const priority of REQUEST_PRIORITIES) {
      const list = this.#waiting.get(priority);
      const waiter = list?.shift();
      if (waiter !== undefined) {
        this.#queuedCount--;
        return waiter;
      }
    }
    return undefined;
  }
}
