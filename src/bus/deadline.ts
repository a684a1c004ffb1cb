// Waiting with a bound on an injected clock, so that tests drive the bound with a FakeClock.
import type { Clock, TimerHandle } from '../core/clock.js';

/** `promise`'s value, or `fallback` when timeoutMs passes first. */
export async function raceTimer<T>(
  clock: Clock,
  promise: Promise<T>,
  timeoutMs: number,
  fallback: T,
): Promise<T> {
  let timer: TimerHandle | undefined;
  const timedOut = new Promise<T>((resolve) => {
    timer = clock.setTimeout(() => resolve(fallback), timeoutMs);
  });
  try {
    return await Promise.race([promise, timedOut]);
  } finally {
    if (timer !== undefined) clock.clearTimeout(timer);
  }
}

export interface DeadlineRun {
  readonly timeoutMs: number;
  /** Aborting it aborts the run's own signal too (e.g. a shutdown). */
  readonly parentSignal: AbortSignal;
  readonly fn: (signal: AbortSignal) => Promise<void>;
  readonly timeoutError: () => Error;
}

/**
 * Runs fn; after timeoutMs aborts its signal and rejects with timeoutError(). fn is not awaited
 * beyond that: it is abandoned, so callers must tolerate it finishing later.
 */
export async function runWithDeadline(clock: Clock, run: DeadlineRun): Promise<void> {
  const controller = new AbortController();
  const onParentAbort = () => controller.abort(run.parentSignal.reason);
  run.parentSignal.addEventListener('abort', onParentAbort, { once: true });
  let timer: TimerHandle | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = clock.setTimeout(() => {
      const error = run.timeoutError();
      controller.abort(error);
      reject(error);
    }, run.timeoutMs);
  });
  try {
    await Promise.race([(async () => run.fn(controller.signal))(), timedOut]);
  } finally {
    if (timer !== undefined) clock.clearTimeout(timer);
    run.parentSignal.removeEventListener('abort', onParentAbort);
  }
}
