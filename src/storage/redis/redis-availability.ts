// Shared or local: one small state machine per component that uses Redis. A failed command moves
// it to local; a health check on the injected clock pings Redis and moves it back to shared.
import type { Redis } from 'ioredis';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { EventEmitter } from '../../core/events.js';
import type { Logger } from '../../logging/logger.js';
import { isRedisUnavailableError } from './redis-client.js';

export type SharedMode = 'shared' | 'local';

export interface SharedModeChange {
  readonly from: SharedMode;
  readonly to: SharedMode;
  /** Why: the Redis error message, or 'redis answered'. */
  readonly reason: string;
  readonly atMs: number;
}

export interface RedisAvailabilityOptions {
  readonly client: Redis;
  readonly clock: Clock;
  readonly logger: Logger;
  /** What runs locally while Redis is away, for the log line, e.g. 'rate budgets'. */
  readonly subject: string;
  /** Pause between pings while local, ms. */
  readonly healthCheckIntervalMs: number;
  /** Runs after a ping answers and before going shared (e.g. hand local grants over); a throw stays local. */
  readonly resync?: () => Promise<void>;
}

export class RedisAvailability {
  readonly #modeEmitter = new EventEmitter<SharedModeChange>();
  /** Shared -> local, or back. */
  readonly onModeChange = this.#modeEmitter.addListener;

  readonly #options: RedisAvailabilityOptions;
  #mode: SharedMode = 'shared';
  #timer: TimerHandle | undefined;
  #closed = false;

  constructor(options: RedisAvailabilityOptions) {
    const { healthCheckIntervalMs } = options;
    if (!Number.isSafeInteger(healthCheckIntervalMs) || healthCheckIntervalMs < 1)
      throw new RangeError(`healthCheckIntervalMs must be a positive integer, was ${healthCheckIntervalMs}`);
    this.#options = options;
  }

  get mode(): SharedMode {
    return this.#mode;
  }

  /**
   * Runs `shared` while Redis answers, `local` otherwise. A Redis outage during `shared` switches
   * to local and runs `local` instead; any other error is rethrown.
   */
  async run<T>(shared: () => Promise<T>, local: () => Promise<T> | T): Promise<T> {
    if (this.#mode === 'local') return local();
    try {
      return await shared();
    } catch (error) {
      if (!isRedisUnavailableError(error)) throw error;
      this.markUnavailable(error);
      return local();
    }
  }

  /** Records an outage seen elsewhere (a subscriber, a publish): local until a ping answers. */
  markUnavailable(error: unknown): void {
    if (this.#closed || this.#mode === 'local') return;
    const reason = error instanceof Error ? error.message : String(error);
    this.#change('local', reason);
    this.#options.logger.warn({ reason }, `redis unreachable: ${this.#options.subject} are local now`);
    this.#schedule();
  }

  /** Stops the health check; the mode no longer changes. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    const { clock, healthCheckIntervalMs } = this.#options;
    this.#timer = clock.setTimeout(() => void this.#check(), healthCheckIntervalMs);
  }

  async #check(): Promise<void> {
    this.#timer = undefined;
    if (this.#closed) return;
    let answered = false;
    try {
      answered = (await this.#options.client.ping()) === 'PONG';
      if (answered) await this.#options.resync?.();
    } catch (error) {
      answered = false;
      this.#options.logger.debug(
        { err: error },
        `redis health check failed: ${this.#options.subject} stay local`,
      );
    }
    if (this.#closed) return;
    if (!answered) {
      this.#schedule();
      return;
    }
    this.#change('shared', 'redis answered');
    this.#options.logger.info(`redis answered: ${this.#options.subject} are shared again`);
  }

  #change(to: SharedMode, reason: string): void {
    const from = this.#mode;
    this.#mode = to;
    this.#modeEmitter.emit({ from, to, reason, atMs: this.#options.clock.nowMs() });
  }
}
