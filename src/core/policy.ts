// The one shape every resilience policy has, so that they all compose with `wrap`.

/**
 * What stopping a call needs of its signal: whether and why it aborted, and 'abort' listeners.
 * An AbortSignal is one; PolicyContext.lightSignal is another that costs no AbortSignal. Undici takes
 * either as a request's signal (it accepts any EventTarget).
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { readonly once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface PolicyContext {
  /** Aborted when the caller gives up or an outer policy (timeout) cancels. */
  readonly signal: AbortSignal;
  /**
   * The same signal as `signal`, aborted at the same moment with the same reason, set by the timeout
   * layer: reading it makes no AbortSignal (one costs more than the rest of a call). Pass it on where
   * an AbortSignalLike is enough; use `signal` for APIs that need a real one.
   */
  readonly lightSignal?: AbortSignalLike;
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
