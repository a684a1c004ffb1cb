// A FIFO async lock with a bounded wait queue.
import { assert } from '../core/assert.js';
import { StorageError } from './errors.js';

export class Mutex {
  #locked = false;
  readonly #waiters: Array<() => void> = [];

  constructor(readonly waitersMax = 100_000) {
    assert(waitersMax > 0, `waitersMax must be positive, was ${waitersMax}`);
  }

  async run<T>(fn: () => Promise<T> | T): Promise<T> {
    await this.#acquire();
    try {
      return await fn();
    } finally {
      this.#release();
    }
  }

  #acquire(): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return Promise.resolve();
    }
    if (this.#waiters.length >= this.waitersMax)
      return Promise.reject(new StorageError(`storage queue full (${this.waitersMax} waiting)`));
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #release(): void {
    const next = this.#waiters.shift();
    if (next === undefined) this.#locked = false;
    else next();
  }
}
