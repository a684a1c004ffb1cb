// Real-time polling for the demo: it runs on the wall clock, so waiting means sleeping briefly.
import { setTimeout as sleep } from 'node:timers/promises';
import { DemoCheckError } from './demo-errors.js';

export interface WaitForOptions {
  /** Give up after this long, ms. */
  readonly timeoutMs: number;
  /** Pause between tries, ms. Default 50. */
  readonly intervalMs?: number;
  /** What was awaited, for the failure message. */
  readonly what: string;
}

/** Resolves with the first defined value `probe` returns; throws DemoCheckError after timeoutMs. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  options: WaitForOptions,
): Promise<T> {
  const { timeoutMs, what } = options;
  const intervalMs = options.intervalMs ?? 50;
  if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be positive, was ${timeoutMs}`);
  if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be positive, was ${intervalMs}`);
  const deadlineMs = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadlineMs)
      throw new DemoCheckError(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export { sleep };
