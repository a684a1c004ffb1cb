// Typed events: a private emitter, a public `onX` listener that returns a disposable.
import { assert } from './assert.js';

export interface Disposable {
  dispose(): void;
}

export type Event<T> = (listener: (value: T) => void) => Disposable;

/** Listeners per emitter are bounded so a leak is loud instead of silent. */
export const LISTENERS_MAX = 1_000;

export class EventEmitter<T> {
  readonly #listeners = new Set<(value: T) => void>();

  readonly addListener: Event<T> = (listener) => {
    assert(this.#listeners.size < LISTENERS_MAX, `listener limit ${LISTENERS_MAX} reached: a leak?`);
    this.#listeners.add(listener);
    return { dispose: () => void this.#listeners.delete(listener) };
  };

  get size(): number {
    return this.#listeners.size;
  }

  emit(value: T): void {
    if (this.#listeners.size === 0) return; // most events on a call's path have no listener
    for (const listener of this.#listeners) {
      try {
        listener(value);
      } catch (error) {
        // A listener's bug must not break the policy that emitted.
        throwLater(error);
      }
    }
  }
}

/**
 * Surfaces a callback's failure as an uncaught error on a later microtask, so that it cannot break
 * the code that called the callback (an emit, an abort, a commit's after-work).
 */
export function throwLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

/** Resolves when the event fires once. */
export const once = <T>(event: Event<T>): Promise<T> =>
  new Promise((resolve) => {
    const listener = event((value) => {
      listener.dispose();
      resolve(value);
    });
  });
