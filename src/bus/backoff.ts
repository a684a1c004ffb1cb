// Retry delay as a pure function of the attempt number, so a policy can be swapped or tested alone.

/** Delay before the next delivery after `attempt` failed deliveries (attempt >= 1), ms. */
export type Backoff = (attempt: number) => number;

export interface ExponentialBackoffOptions {
  /** Delay after the first failure, ms. Default 1000. */
  readonly delayInitialMs?: number;
  /** Upper bound of any delay, ms. Default 60000. */
  readonly delayMaxMs?: number;
  /** Growth per attempt. Default 2. */
  readonly factor?: number;
}

/** delayInitialMs * factor^(attempt-1), capped at delayMaxMs. No jitter: the claim order is by time already. */
export function exponentialBackoff(options: ExponentialBackoffOptions = {}): Backoff {
  const delayInitialMs = options.delayInitialMs ?? 1_000;
  const delayMaxMs = options.delayMaxMs ?? 60_000;
  const factor = options.factor ?? 2;
  if (!(delayInitialMs >= 0)) throw new RangeError(`delayInitialMs must be >= 0, was ${delayInitialMs}`);
  if (!(delayMaxMs >= delayInitialMs) || !Number.isFinite(delayMaxMs))
    throw new RangeError(`delayMaxMs must be finite and >= delayInitialMs, was ${delayMaxMs}`);
  if (!(factor >= 1) || !Number.isFinite(factor))
    throw new RangeError(`factor must be finite and >= 1, was ${factor}`);
  return (attempt) => Math.min(delayMaxMs, delayInitialMs * factor ** Math.max(0, attempt - 1));
}
