// Bounds concurrency: at most concurrentMax calls run, at most queueMax wait (by priority, then FIFO).
// Each component that must not be starved by another gets its own (exchange endpoint groups, alert
// channels, API handlers, the engine's work), so one's saturation never blocks the others.
import { assert } from './assert.js';
import { type Clock, systemClock, type TimerHandle } from './clock.js';
import { AbortedError, BulkheadRejectedError } from './errors.js';
import { EventEmitter } from './events.js';
import { type AbortSignalLike, neverAbortedSignal, type Policy, type PolicyContext } from './policy.js';

export interface BulkheadOptions {
  /** Calls allowed to run at once; default 10. */
  concurrentMax?: number;
  /** Calls allowed to wait for a slot; 0 rejects at once when full; default 100. */
  queueMax?: number;
  /** Longest a call may wait in the queue before it is rejected, ms; default 30_000. */
  queueWaitMaxMs?: number;
  /** Priority of calls that do not give one; higher runs first; default 0. */
  priorityDefault?: number;
  /**
   * What a full queue does with a newcomer: 'rejectNew' turns it away; 'dropOldest' rejects the
   * oldest waiting call of the lowest priority instead (newest news wins: alert notifications), unless
   * the newcomer's priority is lower still. Default 'rejectNew'.
   */
  overflow?: BulkheadOverflow;
  /** Time source for the queue wait; default systemClock. */
  clock?: Clock;
}

export type BulkheadOverflow = 'rejectNew' | 'dropOldest';

export interface BulkheadExecuteOptions {
  /** Higher numbers leave the queue first; calls of equal priority keep their arrival order. */
  readonly priority?: number;
  /** Longest this call may wait in the queue, ms; default the bulkhead's queueWaitMaxMs. */
  readonly queueWaitMaxMs?: number;
}

export interface BulkheadStats {
  readonly running: number;
  /** Calls allowed to run at once now: concurrentMax, or lower while limited (throttling). */
  readonly concurrentLimit: number;
  readonly queued: number;
  readonly concurrentMax: number;
  readonly queueMax: number;
  /** Calls rejected since creation (queue full, wait too long, or dropped for a newer one). */
  readonly rejected: number;
}

export interface BulkheadRejectEvent {
  readonly reason: BulkheadRejectedError['reason'];
  readonly priority: number;
  readonly error: BulkheadRejectedError;
}

export const BULKHEAD_DEFAULTS = {
  concurrentMax: 10,
  queueMax: 100,
  queueWaitMaxMs: 30_000,
  priorityDefault: 0,
  overflow: 'rejectNew',
} as const satisfies Required<Omit<BulkheadOptions, 'clock'>>;

interface QueueEntry {
  readonly priority: number;
  readonly start: () => void;
  readonly fail: (error: Error) => void;
  timer: TimerHandle | undefined;
  release: () => void;
}

export class BulkheadPolicy implements Policy {
  readonly #concurrentMax: number;
  readonly #queueMax: number;
  readonly #queueWaitMaxMs: number;
  readonly #priorityDefault: number;
  readonly #overflow: BulkheadOverflow;
  readonly #clock: Clock;
  /** Sorted: higher priority first, FIFO within a priority. Bounded by queueMax. */
  readonly #queue: QueueEntry[] = [];
  #running = 0;
  #rejected = 0;
  #concurrentLimit: number | undefined;
  readonly #rejectEmitter = new EventEmitter<BulkheadRejectEvent>();

  /** Fires when a call is turned away. */
  readonly onReject = this.#rejectEmitter.addListener;

  constructor(options: BulkheadOptions = {}) {
    const merged = { ...BULKHEAD_DEFAULTS, ...stripUndefined(options) };
    if (!Number.isSafeInteger(merged.concurrentMax) || merged.concurrentMax < 1)
      throw new RangeError(`concurrentMax must be a positive integer, was ${merged.concurrentMax}`);
    if (!Number.isSafeInteger(merged.queueMax) || merged.queueMax < 0)
      throw new RangeError(`queueMax must be a non-negative integer, was ${merged.queueMax}`);
    if (!Number.isFinite(merged.queueWaitMaxMs) || merged.queueWaitMaxMs < 0)
      throw new RangeError(`queueWaitMaxMs must be finite and >= 0, was ${merged.queueWaitMaxMs}`);
    if (!Number.isFinite(merged.priorityDefault))
      throw new RangeError(`priorityDefault must be finite, was ${merged.priorityDefault}`);
    if (merged.overflow !== 'rejectNew' && merged.overflow !== 'dropOldest')
      throw new RangeError(`overflow must be rejectNew or dropOldest, was ${String(merged.overflow)}`);
    this.#concurrentMax = merged.concurrentMax;
    this.#queueMax = merged.queueMax;
    this.#queueWaitMaxMs = merged.queueWaitMaxMs;
    this.#priorityDefault = merged.priorityDefault;
    this.#overflow = merged.overflow;
    this.#clock = options.clock ?? systemClock;
  }

  stats(): BulkheadStats {
    return {
      running: this.#running,
      queued: this.#queue.length,
      concurrentMax: this.#concurrentMax,
      concurrentLimit: this.#slots,
      queueMax: this.#queueMax,
      rejected: this.#rejected,
    };
  }

  /** Lowers the calls running at once below concurrentMax (throttling); undefined lifts the limit. */
  limitConcurrency(limit: number | undefined): void {
    if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1))
      throw new RangeError(`limit must be a positive integer, was ${limit}`);
    this.#concurrentLimit = limit;
    this.#drain();
  }

  /** Rejects every waiting call with `error` (the owner is closing); running calls finish. */
  rejectWaiting(error: Error): void {
    for (const entry of [...this.#queue]) {
      this.#remove(entry);
      entry.fail(error);
    }
  }

  get #slots(): number {
    return Math.min(this.#concurrentMax, this.#concurrentLimit ?? this.#concurrentMax);
  }

  execute<T>(
    fn: (context: PolicyContext) => Promise<T> | T,
    signal: AbortSignal = neverAbortedSignal,
    options: BulkheadExecuteOptions = {},
  ): Promise<T> {
    return this.run(() => fn({ signal }), signal, options);
  }

  /** execute() for a task that needs no context: its signal may be any AbortSignalLike. */
  async run<T>(
    task: () => Promise<T> | T,
    signal: AbortSignalLike = neverAbortedSignal,
    options: BulkheadExecuteOptions = {},
  ): Promise<T> {
    const priority = options.priority ?? this.#priorityDefault;
    if (!Number.isFinite(priority)) throw new RangeError(`priority must be finite, was ${priority}`);
    if (signal.aborted)
      throw new AbortedError('aborted before entering the bulkhead', { cause: signal.reason });
    const waitMaxMs = options.queueWaitMaxMs ?? this.#queueWaitMaxMs;
    if (!Number.isFinite(waitMaxMs) || waitMaxMs < 0)
      throw new RangeError(`queueWaitMaxMs must be finite and >= 0, was ${waitMaxMs}`);
    if (this.#running < this.#slots && this.#queue.length === 0) this.#running++;
    else await this.#enqueue(priority, waitMaxMs, signal); // resolves with a slot already reserved by #drain
    assert(this.#running <= this.#concurrentMax, 'bulkhead running above concurrentMax');
    try {
      return await task();
    } finally {
      this.#running--;
      this.#drain();
    }
  }

  #enqueue(priority: number, waitMaxMs: number, signal: AbortSignalLike): Promise<void> {
    if (this.#queue.length >= this.#queueMax && !this.#dropOldestFor(priority)) {
      const message = `bulkhead full: ${this.#running} running (concurrentMax ${this.#concurrentMax}), ${this.#queue.length} queued (queueMax ${this.#queueMax})`;
      return Promise.reject(this.#reject('queueFull', priority, message));
    }
    assert(this.#queue.length < this.#queueMax, 'bulkhead queue over queueMax');
    // Calls without a signal of their own share neverAbortedSignal: a listener on it could never fire,
    // and one per queued call piled up on that one signal (Node's leak warning past 10).
    const abortable = signal !== neverAbortedSignal;
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.#remove(entry);
        reject(new AbortedError('aborted while queued in the bulkhead', { cause: signal.reason }));
      };
      const entry: QueueEntry = {
        priority,
        start: resolve,
        fail: reject,
        timer: undefined,
        release: () => {
          if (entry.timer !== undefined) this.#clock.clearTimeout(entry.timer);
          if (abortable) signal.removeEventListener('abort', onAbort);
        },
      };
      entry.timer = this.#clock.setTimeout(() => {
        entry.timer = undefined;
        this.#remove(entry);
        const message = `bulkhead queue wait exceeded queueWaitMaxMs ${waitMaxMs} (priority ${priority})`;
        reject(this.#reject('queueWaitTimeout', priority, message));
      }, waitMaxMs);
      if (abortable) signal.addEventListener('abort', onAbort, { once: true });
      this.#queue.splice(insertIndex(this.#queue, priority), 0, entry);
    });
  }

  #reject(reason: BulkheadRejectEvent['reason'], priority: number, message: string): BulkheadRejectedError {
    const error = new BulkheadRejectedError(message, reason);
    this.#rejected++;
    this.#rejectEmitter.emit({ reason, priority, error });
    return error;
  }

  /** With overflow 'dropOldest', frees a queue place for a newcomer of `priority`; false if none may go. */
  #dropOldestFor(priority: number): boolean {
    const last = this.#queue.at(-1);
    if (this.#overflow !== 'dropOldest' || last === undefined || last.priority > priority) return false;
    // The queue is sorted by priority, FIFO within one: the oldest of the lowest priority heads its run.
    const oldest = this.#queue.find((entry) => entry.priority === last.priority);
    assert(oldest !== undefined, 'lowest priority has no entry');
    this.#remove(oldest);
    const message = `bulkhead queue full (queueMax ${this.#queueMax}): oldest waiting call dropped for a newer one`;
    oldest.fail(this.#reject('queueOverflow', oldest.priority, message));
    return true;
  }

  #remove(entry: QueueEntry): void {
    const index = this.#queue.indexOf(entry);
    if (index >= 0) this.#queue.splice(index, 1);
    entry.release();
  }

  /** Reserves free slots for the head of the queue, so a newcomer cannot take them first. */
  #drain(): void {
    while (this.#running < this.#slots) {
      const next = this.#queue.shift();
      if (next === undefined) return;
      next.release();
      this.#running++;
      next.start();
    }
  }
}

/** First index whose priority is lower than the new one: keeps FIFO within equal priorities. */
function insertIndex(queue: readonly QueueEntry[], priority: number): number {
  const index = queue.findIndex((entry) => entry.priority < priority);
  return index < 0 ? queue.length : index;
}

function stripUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
