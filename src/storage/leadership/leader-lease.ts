// Trading leadership: exactly one instance holds the lease and executes; its fencing token grows
// with every new holder, so writes of a paused old leader are refused by the store.
import type { Event } from '../../core/events.js';
import type { Queryable } from '../database.js';

/** For /api/status: who leads, since when, and until when without a renewal (epoch ms). */
export interface LeaderInfo {
  readonly instanceId: string;
  readonly token: number;
  readonly sinceMs: number;
  readonly expiresAtMs: number;
}

export interface LeaderDemotion {
  readonly token: number;
  /** 'lost' (someone else holds it), 'expired' (no renewal in time), 'released'. */
  readonly reason: 'lost' | 'expired' | 'released';
  readonly atMs: number;
}

export interface LeaderLease {
  readonly instanceId: string;
  /** True while this instance holds an unexpired lease (by its own clock). */
  readonly isLeader: boolean;
  /** The fencing token of the current or latest term; 0 before the first election. */
  readonly token: number;
  readonly onElected: Event<LeaderInfo>;
  readonly onDemoted: Event<LeaderDemotion>;
  /** Starts the acquire/renew loop. */
  start(): void;
  /** Stops the loop and gives the lease up so a standby can take over at once. */
  release(): Promise<void>;
  /** This instance's term while it leads; undefined otherwise. */
  leaderInfo(): LeaderInfo | undefined;
  /** Throws LeaseLostError unless the store still names `token` as the live holder (inside `tx` where it can). */
  assertHolds(tx: Queryable, token: number): Promise<void>;
}

/** What a lease needs of its store; every call is one atomic step there. */
export interface LeaseStore {
  /** Takes the lease when free or expired; the new fencing token, or undefined when held. */
  tryAcquire(request: { readonly nowMs: number; readonly ttlMs: number }): Promise<number | undefined>;
  /** Extends the lease of `token`; false when it is no longer ours. */
  renew(request: {
    readonly token: number;
    readonly nowMs: number;
    readonly ttlMs: number;
  }): Promise<boolean>;
  /** Ends the lease of `token` if it is still ours. */
  release(token: number): Promise<void>;
  /** True when `token` is the live holder's token. */
  holds(tx: Queryable, request: { readonly token: number; readonly nowMs: number }): Promise<boolean>;
}
