// The acquire/renew loop shared by every LeaderLease: a standby polls to acquire, a leader renews
// well before expiry, and a leader that could not renew in time demotes itself at its own expiry
// instant, whatever the store says later. Runs on the injected clock.
import { type Clock, systemClock, type TimerHandle } from '../../core/clock.js';
import { EventEmitter } from '../../core/events.js';
import { type Logger, silentLogger } from '../../logging/logger.js';
import type { Queryable } from '../database.js';
import { LeaseLostError } from './errors.js';
import type { LeaderDemotion, LeaderInfo, LeaderLease, LeaseStore } from './leader-lease.js';

export interface LeaseTimingOptions {
  /** Unique per process, e.g. `${hostname}-${pid}-${random}`. */
  readonly instanceId: string;
  /** A lease not renewed within this long expires, ms. Default 10_000. */
  readonly ttlMs?: number;
  /** Pause between renewals; at most half of ttlMs, ms. Default 3_000. */
  readonly renewIntervalMs?: number;
  /** Pause between a standby's acquire attempts, ms. Default renewIntervalMs. */
  readonly acquireIntervalMs?: number;
  /** Default systemClock. */
  readonly clock?: Clock;
  readonly logger?: Logger;
}

export const LEASE_TIMING_DEFAULTS = { ttlMs: 10_000, renewIntervalMs: 3_000 } as const;

interface Term {
  readonly token: number;
  readonly sinceMs: number;
  expiresAtMs: number;
}

export class LeaseRunner implements LeaderLease {
  readonly instanceId: string;
  readonly #store: LeaseStore;
  readonly #ttlMs: number;
  readonly #renewIntervalMs: number;
  readonly #acquireIntervalMs: number;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #electedEmitter = new EventEmitter<LeaderInfo>();
  readonly #demotedEmitter = new EventEmitter<LeaderDemotion>();
  readonly onElected = this.#electedEmitter.addListener;
  readonly onDemoted = this.#demotedEmitter.addListener;

  #term: Term | undefined;
  #latestToken = 0;
  #running = false;
  #loopTimer: TimerHandle | undefined;
  #expiryTimer: TimerHandle | undefined;
  #inFlight: Promise<void> = Promise.resolve();

  constructor(store: LeaseStore, options: LeaseTimingOptions) {
    const ttlMs = options.ttlMs ?? LEASE_TIMING_DEFAULTS.ttlMs;
    const renewIntervalMs = options.renewIntervalMs ?? LEASE_TIMING_DEFAULTS.renewIntervalMs;
    const acquireIntervalMs = options.acquireIntervalMs ?? renewIntervalMs;
    for (const [name, value] of [
      ['ttlMs', ttlMs],
      ['renewIntervalMs', renewIntervalMs],
      ['acquireIntervalMs', acquireIntervalMs],
    ] as const)
      if (!Number.isSafeInteger(value) || value < 1)
        throw new RangeError(`${name} must be a positive integer, was ${value}`);
    // Two renewal chances per term, so one slow round trip does not cost the lease.
    if (renewIntervalMs * 2 > ttlMs)
      throw new RangeError(
        `renewIntervalMs must be at most ttlMs / 2 (${ttlMs / 2}), was ${renewIntervalMs}`,
      );
    if (options.instanceId.length === 0) throw new RangeError("instanceId must not be empty, was ''");
    this.instanceId = options.instanceId;
    this.#store = store;
    this.#ttlMs = ttlMs;
    this.#renewIntervalMs = renewIntervalMs;
    this.#acquireIntervalMs = acquireIntervalMs;
    this.#clock = options.clock ?? systemClock;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'leader-lease' });
  }

  get isLeader(): boolean {
    return this.#term !== undefined && this.#clock.nowMs() < this.#term.expiresAtMs;
  }

  get token(): number {
    return this.#latestToken;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(0);
  }

  async release(): Promise<void> {
    this.#running = false;
    if (this.#loopTimer !== undefined) this.#clock.clearTimeout(this.#loopTimer);
    this.#loopTimer = undefined;
    await this.#inFlight;
    const term = this.#term;
    if (term === undefined) return;
    this.#demote(term, 'released');
    try {
      await this.#store.release(term.token);
    } catch (error) {
      this.#logger.warn({ err: error, token: term.token }, 'lease release failed; it expires on its own');
    }
  }

  /** Resolves when the acquire or renew attempt in flight, if any, has finished. */
  async settled(): Promise<void> {
    await this.#inFlight;
  }

  leaderInfo(): LeaderInfo | undefined {
    const term = this.#term;
    if (term === undefined || !this.isLeader) return undefined;
    return {
      instanceId: this.instanceId,
      token: term.token,
      sinceMs: term.sinceMs,
      expiresAtMs: term.expiresAtMs,
    };
  }

  async assertHolds(tx: Queryable, token: number): Promise<void> {
    const holds = await this.#store.holds(tx, { token, nowMs: this.#clock.nowMs() });
    if (!holds) throw new LeaseLostError(`lease token ${token} is no longer the live holder`, token);
  }

  #schedule(delayMs: number): void {
    if (!this.#running) return;
    this.#loopTimer = this.#clock.setTimeout(() => {
      this.#loopTimer = undefined;
      this.#inFlight = this.#tick();
    }, delayMs);
  }

  async #tick(): Promise<void> {
    const term = this.#term;
    if (term === undefined) await this.#acquire();
    else await this.#renew(term);
  }

  async #acquire(): Promise<void> {
    const nowMs = this.#clock.nowMs();
    let token: number | undefined;
    try {
      token = await this.#store.tryAcquire({ nowMs, ttlMs: this.#ttlMs });
    } catch (error) {
      this.#logger.warn({ err: error }, 'lease acquire failed');
    }
    if (token !== undefined && this.#running) {
      const term: Term = { token, sinceMs: nowMs, expiresAtMs: nowMs + this.#ttlMs };
      this.#term = term;
      this.#latestToken = token;
      this.#armExpiry(term);
      this.#logger.info({ token }, 'elected trading leader');
      this.#electedEmitter.emit({
        instanceId: this.instanceId,
        token,
        sinceMs: nowMs,
        expiresAtMs: term.expiresAtMs,
      });
      this.#schedule(this.#renewIntervalMs);
      return;
    }
    if (token !== undefined) await this.#store.release(token).catch(() => undefined); // released meanwhile
    this.#schedule(this.#acquireIntervalMs);
  }

  async #renew(term: Term): Promise<void> {
    // Measured from before the request: the store's deadline can only be later than ours.
    const nowMs = this.#clock.nowMs();
    let renewed: boolean | undefined;
    try {
      renewed = await this.#store.renew({ token: term.token, nowMs, ttlMs: this.#ttlMs });
    } catch (error) {
      this.#logger.warn({ err: error, token: term.token }, 'lease renewal failed; retrying before expiry');
    }
    if (this.#term !== term) return this.#schedule(this.#acquireIntervalMs);
    if (renewed === true) {
      term.expiresAtMs = nowMs + this.#ttlMs;
      this.#armExpiry(term);
    } else if (renewed === false) {
      this.#demote(term, 'lost');
      return this.#schedule(this.#acquireIntervalMs);
    }
    this.#schedule(this.#renewIntervalMs);
  }

  #armExpiry(term: Term): void {
    if (this.#expiryTimer !== undefined) this.#clock.clearTimeout(this.#expiryTimer);
    const delayMs = Math.max(0, term.expiresAtMs - this.#clock.nowMs());
    this.#expiryTimer = this.#clock.setTimeout(() => {
      this.#expiryTimer = undefined;
      if (this.#term === term && this.#clock.nowMs() >= term.expiresAtMs) this.#demote(term, 'expired');
    }, delayMs);
  }

  #demote(term: Term, reason: LeaderDemotion['reason']): void {
    if (this.#term !== term) return;
    this.#term = undefined;
    if (this.#expiryTimer !== undefined) this.#clock.clearTimeout(this.#expiryTimer);
    this.#expiryTimer = undefined;
    const log = reason === 'released' ? this.#logger.info : this.#logger.warn;
    log.call(this.#logger, { token: term.token, reason }, 'no longer trading leader');
    this.#demotedEmitter.emit({ token: term.token, reason, atMs: this.#clock.nowMs() });
  }
}
