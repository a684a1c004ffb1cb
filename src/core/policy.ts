// The one shape every resilience policy has, so that they all compose with `wrap`.

export interface PolicyContext {
  /** Aborted when the caller gives up or an outer policy (timeout) cancels. */
  readonly signal: AbortSignal;
  /** Attempt number, 1-based, set by retry. */
  readonly attempt?: number;
  /** Free-form tags (endpoint, priority, weight) that policies may read. */
  readonly tags?: Readonly<Record<string, string | number>>;
}

export interface Policy<C extends PolicyContext = PolicyContext> {
  execute<T>(fn: (context: C) => Promise<T> | T, signal?: AbortSignal): Promise<T>;
}

/** A signal that never aborts, for calls without a caller signal. */
export const neverAbortedSignal: AbortSignal = new AbortController().signal;
