// Bounds a call's duration. Cooperative: abort the child signal and wait for the function to
// finish (its result still counts: an order ack must not be thrown away). Aggressive: reject at once.
import { type Clock, systemClock } from './clock.js';
import { AbortedError, TimeoutError } from './errors.js';
import { EventEmitter, throwLater } from './events.js';
import { type AbortSignalLike, neverAbortedSignal, type Policy, type PolicyContext } from './policy.js';

export type TimeoutStrategy = 'cooperative' | 'aggressive';

export interface TimeoutOptions {
  /** Time allowed per call, ms, in (0, 86_400_000]. */
  readonly durationMs: number;
  /** 'cooperative' waits for fn after aborting its signal; 'aggressive' rejects at once. Default 'cooperative'. */
  readonly strategy?: TimeoutStrategy;
  /** Default systemClock. */
  readonly clock?: Clock;
}

export interface TimeoutEvent {
  readonly durationMs: number;
  readonly strategy: TimeoutStrategy;
}

export class TimeoutPolicy implements Policy {
  readonly #timeoutEmitter = new EventEmitter<TimeoutEvent>();
  /** Fired when a call runs past durationMs. */
  readonly onTimeout = this.#timeoutEmitter.addListener;

  readonly durationMs: number;
  readonly strategy: TimeoutStrategy;
  readonly #clock: Clock;

  constructor(options: TimeoutOptions) {
    if (!(options.durationMs > 0 && options.durationMs <= 86_400_000))
      throw new RangeError(`durationMs must be in (0, 86400000], was ${options.durationMs}`);
    const strategy = options.strategy ?? 'cooperative';
    if (strategy !== 'cooperative' && strategy !== 'aggressive')
      throw new RangeError(`strategy must be 'cooperative' or 'aggressive', was ${String(strategy)}`);
    this.durationMs = options.durationMs;
    this.strategy = strategy;
    this.#clock = options.clock ?? systemClock;
  }

  async execute<T>(fn: (context: PolicyContext) => Promise<T> | T, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw new AbortedError('aborted before the call started', { cause: signal.reason });
    // A signal that can never abort needs no listener: listeners cost more than the rest of a call.
    const caller = signal === neverAbortedSignal ? undefined : signal;
    const child = new ChildSignal();
    let timedOut = false;
    // Only the aggressive strategy races fn; the cooperative one waits for fn whatever happens.
    let rejectEarly: ((error: unknown) => void) | undefined;
    const early =
      this.strategy === 'aggressive'
        ? new Promise<never>((_, reject) => {
            rejectEarly = reject;
          })
        : undefined;
    // Only a caller that can abort gets a listener (and the closure it needs).
    const onCallerAbort =
      caller === undefined
        ? undefined
        : () => {
            child.abort(caller.reason);
            rejectEarly?.(new AbortedError('aborted by the caller', { cause: caller.reason }));
          };
    if (onCallerAbort !== undefined) caller?.addEventListener('abort', onCallerAbort, { once: true });
    const timer = this.#clock.setTimeout(() => {
      timedOut = true;
      const error = new TimeoutError(`timed out after ${this.durationMs} ms`);
      this.#timeoutEmitter.emit({ durationMs: this.durationMs, strategy: this.strategy });
      child.abort(error);
      rejectEarly?.(error);
    }, this.durationMs);
    try {
      const work = start(fn, child);
      if (early !== undefined) {
        work.catch(() => undefined); // abandoned: its late failure must not go unhandled
        early.catch(() => undefined);
        return await Promise.race([work, early]);
      }
      return await work.catch((error: unknown) => {
        if (timedOut) throw new TimeoutError(`timed out after ${this.durationMs} ms`, { cause: error });
        throw error;
      });
    } finally {
      this.#clock.clearTimeout(timer);
      if (onCallerAbort !== undefined) caller?.removeEventListener('abort', onCallerAbort);
    }
  }
}

/**
 * The call's context, with its AbortSignal made on first read: an AbortSignal costs more than the rest
 * of a call, and a function that never reads it cannot observe an abort. Read after an abort, it is
 * already aborted with the same reason. `lightSignal` (this object) tells the same abort without ever
 * making one: its listeners run when the AbortSignal's would.
 */
class ChildSignal implements PolicyContext, AbortSignalLike {
  readonly lightSignal: AbortSignalLike = this;
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;
  #listeners: (() => void)[] | undefined;

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  /** Like EventTarget: a listener added twice runs once, and one added after the abort never runs. */
  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.#aborted) return;
    this.#listeners ??= [];
    if (!this.#listeners.includes(listener)) this.#listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const index = this.#listeners?.indexOf(listener) ?? -1;
    if (index >= 0) this.#listeners?.splice(index, 1);
  }

  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    const listeners = this.#listeners ?? [];
    this.#listeners = undefined;
    for (const listener of listeners) {
      try {
        listener();
      } catch (error) {
        // Like an EventTarget's: a listener's failure must not stop the abort reaching the others.
        throwLater(error);
      }
    }
  }
}

/** Calls fn now; a synchronous throw becomes a rejection, like an async function's. */
function start<T>(fn: (context: PolicyContext) => Promise<T> | T, context: PolicyContext): Promise<T> {
  try {
    return Promise.resolve(fn(context));
  } catch (error) {
    return Promise.reject(error);
  }
}
