// Time is injected everywhere so that reliability tests run on a fake clock, never real sleeps.
import { AbortedError } from './errors.js';

export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Current epoch time, ms. */
  nowMs(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** Resolves after delayMs; rejects with AbortedError when the signal aborts first. */
  sleep(delayMs: number, signal?: AbortSignal): Promise<void>;
}

export function sleepOn(clock: Clock, delayMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortedError('aborted before the wait started', { cause: signal.reason }));
      return;
    }
    const onAbort = () => {
      clock.clearTimeout(handle);
      reject(new AbortedError('aborted during the wait', { cause: signal?.reason }));
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, delayMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A system timer's handle holds the Node timer itself: no table to fill and empty on every call. */
class SystemTimerHandle implements TimerHandle {
  constructor(
    readonly id: number,
    readonly timer: NodeJS.Timeout,
  ) {}
}

class SystemClock implements Clock {
  #nextId = 1;

  nowMs(): number {
    return Date.now();
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const timer = setTimeout(callback, delayMs);
    timer.unref?.();
    return new SystemTimerHandle(this.#nextId++, timer);
  }

  clearTimeout(handle: TimerHandle): void {
    if (handle instanceof SystemTimerHandle) clearTimeout(handle.timer);
  }

  sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, delayMs, signal);
  }
}

/** Real time. Timers are unref'd: a pending breaker timer never keeps the process alive. */
export const systemClock: Clock = new SystemClock();

interface FakeTimer {
  readonly id: number;
  readonly dueAtMs: number;
  readonly callback: () => void;
}

/**
 * A manual clock for tests. `advance(ms)` runs due timers in order and lets promise
 * continuations settle between them, so async code driven by timers runs as it would for real.
 */
export class FakeClock implements Clock {
  #nowMs: number;
  #nextId = 1;
  readonly #timers = new Map<number, FakeTimer>();

  constructor(startAtMs = Date.UTC(2026, 0, 1)) {
    this.#nowMs = startAtMs;
  }

  nowMs(): number {
    return this.#nowMs;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const id = this.#nextId++;
    this.#timers.set(id, { id, dueAtMs: this.#nowMs + Math.max(0, delayMs), callback });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle.id);
  }

  sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, delayMs, signal);
  }

  /** Number of timers not yet run. */
  get pendingTimerCount(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, running every timer that falls due, in order. */
  async advance(ms: number): Promise<void> {
    const targetMs = this.#nowMs + ms;
    await settle();
    for (;;) {
      const next = this.#nextDue(targetMs);
      if (next === undefined) break;
      this.#timers.delete(next.id);
      this.#nowMs = Math.max(this.#nowMs, next.dueAtMs);
      next.callback();
      await settle();
    }
    this.#nowMs = targetMs;
    await settle();
  }

  /** Runs timers until none is left, up to `limitMs` of fake time. */
  async runAll(limitMs = 3_600_000): Promise<void> {
    const endMs = this.#nowMs + limitMs;
    while (this.#timers.size > 0 && this.#nowMs < endMs) {
      const next = this.#nextDue(endMs);
      if (next === undefined) break;
      await this.advance(next.dueAtMs - this.#nowMs);
    }
  }

  /** Sets the time without running timers (for wall-clock jumps). */
  setNow(nowMs: number): void {
    this.#nowMs = nowMs;
  }

  #nextDue(limitMs: number): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const timer of this.#timers.values()) {
      if (timer.dueAtMs > limitMs) continue;
      if (
        best === undefined ||
        timer.dueAtMs < best.dueAtMs ||
        (timer.dueAtMs === best.dueAtMs && timer.id < best.id)
      )
        best = timer;
    }
    return best;
  }
}

/** Lets pending promise continuations (several hops deep) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
