// One consumer of one topic. Claims due messages under a lease (at most one in flight per partition
// key, enforced by the claim query), runs them through its own core/bulkhead (concurrencyMax handlers,
// bufferMax claimed messages waiting, each at most queueWaitMaxMs before it goes back to the bus), and
// settles each one: done, retry later with backoff, or quarantined after attemptsMax attempts.
import { assert } from '../core/assert.js';
import { BulkheadPolicy, type BulkheadStats } from '../core/bulkhead.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import { AbortedError, TimeoutError } from '../core/errors.js';
import type { Logger } from '../logging/logger.js';
import type { Database, Queryable } from '../storage/database.js';
import { raceTimer, runWithDeadline } from './deadline.js';
import {
  type BusMessage,
  type Claim,
  type ClaimRequest,
  claimInTransaction,
  claimMessages,
  renewLeases,
  settleClaim,
} from './message-store.js';
import {
  type SubscribeOptions,
  type SubscriptionSettings,
  subscriptionSettings,
} from './subscription-options.js';

export type MessageHandler = (message: BusMessage, context: HandlerContext) => Promise<void>;

export interface HandlerContext {
  readonly signal: AbortSignal;
  /**
   * Writes that end the message's work, committed in the transaction that settles it as done: one
   * commit instead of two, and neither lands without the other (a lost lease rolls the work back,
   * and a failed commit leaves the message to be delivered again). Used when the handler returns.
   */
  readonly settleWith: (work: SettleWork) => void;
}

export interface SettleWork {
  /** Runs inside the settling transaction; throwing rolls back both and counts as a failed attempt. */
  readonly inTransaction: (tx: Queryable) => Promise<void>;
  /** After the commit (say what happened: events, alerts). */
  readonly committed: () => void;
}

export interface SubscriptionStats {
  readonly topic: string;
  readonly inFlight: number;
  readonly buffered: number;
}

/** What a subscription needs from its bus; kept narrow so it can be tested alone. */
export interface SubscriptionContext {
  readonly db: Database;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly leaseOwner: string;
  readonly onQuarantine: (event: { message: BusMessage; error: unknown }) => void;
}

export class Subscription {
  readonly #options: SubscriptionSettings;
  /** Handlers run here; claimed messages wait in its queue for a slot. */
  readonly #bulkhead: BulkheadPolicy;
  /** Every claimed message not yet settled, waiting or running, by message id. */
  readonly #held = new Map<string, Promise<void>>();
  /** How many held messages each partition key has (one, but for a re-claim after a lapsed lease). */
  readonly #heldKeys = new Map<string, number>();
  readonly #settling = new Set<Promise<boolean>>();
  readonly #abort = new AbortController();
  #state: 'running' | 'stopping' | 'stopped' = 'running';
  #polling: Promise<void> | undefined;
  #pollAgain = false;
  #pollTimer: TimerHandle | undefined;
  #renewTimer: TimerHandle | undefined;

  constructor(
    readonly topic: string,
    private readonly handler: MessageHandler,
    private readonly context: SubscriptionContext,
    options: SubscribeOptions = {},
  ) {
    this.#options = subscriptionSettings(options);
    this.#bulkhead = new BulkheadPolicy({
      concurrentMax: this.#options.concurrencyMax,
      queueMax: this.#options.bufferMax,
      queueWaitMaxMs: this.#options.queueWaitMaxMs,
      clock: context.clock,
    });
    this.#scheduleRenewal();
    this.wake();
  }

  /**
   * Claims now instead of at the next poll (after a local publish or a finished message). A wake for
   * a key this subscription holds a message of is dropped: nothing of that key can be claimed before
   * the held message settles, and every settle either claims what is due then or wakes again.
   */
  wake(partitionKey?: string): void {
    if (partitionKey !== undefined && this.#heldKeys.has(partitionKey)) return;
    void this.#poll();
  }

  /**
   * Resolves once no claim or settle is running and, unless `handlers` is false, no handler either.
   * For tests on a fake clock (advance, then wait for the I/O it caused) and for graceful handover.
   */
  async whenIdle(options: { readonly handlers?: boolean } = {}): Promise<void> {
    for (;;) {
      // Let completion callbacks run first: they may start the next claim.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const pending = [...this.#settling, ...(options.handlers === false ? [] : this.#held.values())];
      if (this.#polling !== undefined) pending.push(this.#polling);
      if (pending.length === 0) return;
      await Promise.allSettled(pending);
    }
  }

  stats(): SubscriptionStats {
    const { running, queued } = this.#bulkhead.stats();
    return { topic: this.topic, inFlight: running, buffered: queued };
  }

  /** The handlers' bulkhead: running and waiting messages, limits, and waits given up. */
  bulkheadStats(): BulkheadStats {
    return this.#bulkhead.stats();
  }

  /**
   * Stops claiming, hands buffered messages back, and waits up to timeoutMs for running handlers.
   * Handlers still running after that keep their lease until it expires, then go to another consumer.
   */
  async stop(timeoutMs = 10_000): Promise<{ drained: boolean }> {
    if (this.#state !== 'running') return { drained: this.#bulkhead.stats().running === 0 };
    this.#state = 'stopping';
    if (this.#pollTimer !== undefined) this.context.clock.clearTimeout(this.#pollTimer);
    await this.#polling; // a claim in progress lands in the bulkhead's queue first, then goes back below
    this.#bulkhead.rejectWaiting(new AbortedError(`subscription ${this.topic} stopping`));
    const drained = await this.#waitForInFlight(timeoutMs);
    if (!drained) this.#abort.abort(new Error(`subscription ${this.topic} stopped`));
    if (this.#renewTimer !== undefined) this.context.clock.clearTimeout(this.#renewTimer);
    this.#state = 'stopped';
    return { drained };
  }

  #poll(): Promise<void> {
    if (this.#polling !== undefined) {
      this.#pollAgain = true;
      return this.#polling;
    }
    this.#polling = this.#pollLoop().finally(() => {
      this.#polling = undefined;
      // A wake after the loop's last look but before this point would be lost otherwise.
      if (this.#pollAgain && this.#state === 'running') void this.#poll();
      else this.#schedulePoll();
    });
    return this.#polling;
  }

  async #pollLoop(): Promise<void> {
    try {
      do {
        this.#pollAgain = false;
        await this.#claimOnce();
      } while (this.#pollAgain && this.#state === 'running');
    } catch (error) {
      this.#pollAgain = false; // a failing claim is tried again at the next poll, not at once
      this.context.logger.warn(
        { err: error, topic: this.topic },
        'bus claim failed; retrying at the next poll',
      );
    }
  }

  async #claimOnce(): Promise<void> {
    const request = this.#claimRequest();
    if (request === undefined) return;
    await this.#take(await claimMessages(this.context.db, request));
  }

  /** What a claim now may take (room left in the buffer); undefined when none or stopping. */
  #claimRequest(): ClaimRequest | undefined {
    const { concurrencyMax, bufferMax, leaseMs } = this.#options;
    const limit = concurrencyMax + bufferMax - this.#held.size;
    if (limit <= 0 || this.#state !== 'running') return undefined;
    const nowMs = this.context.clock.nowMs();
    return {
      topic: this.topic,
      limit,
      leaseOwner: this.context.leaseOwner,
      leaseUntilMs: nowMs + leaseMs,
      nowMs,
    };
  }

  /** Holds freshly claimed messages (or hands them back when stopping, or quarantines the hopeless). */
  async #take(claims: readonly Claim[]): Promise<void> {
    const { concurrencyMax, bufferMax, attemptsMax } = this.#options;
    for (const claim of claims) {
      if (this.#state !== 'running') {
        await this.#settle(claim, { kind: 'released' });
        continue;
      }
      // Our own lease lapsed (renewal failed) and we re-claimed a message still running here: keep one.
      if (this.#held.has(claim.message.id)) continue;
      if (claim.message.attempt > attemptsMax) {
        // Claimed attemptsMax times and never settled: its handler crashed or hung the process each time.
        const error = new Error(`lease expired ${attemptsMax} times without the handler finishing`);
        await this.#quarantine(claim, error);
        this.wake(); // the next message of its key is claimable now
        continue;
      }
      this.#hold(claim);
    }
    assert(this.#held.size <= bufferMax + concurrencyMax, `bus buffer over its limit: ${this.#held.size}`);
  }

  /**
   * Runs the claim through the bulkhead. One that never starts (it waited longer than queueWaitMaxMs,
   * or the subscription is stopping) goes back to the bus unsettled and uncounted, for a later claim.
   */
  #hold(claim: Claim): void {
    const { id, partitionKey } = claim.message;
    let started = false;
    let claimedNext = false;
    const held = this.#bulkhead
      .execute(async () => {
        if (this.#state !== 'running') throw new AbortedError(`subscription ${this.topic} stopping`);
        started = true;
        claimedNext = await this.#deliver(claim);
      })
      .catch(async (error: unknown) => {
        if (started) throw error;
        await this.#settle(claim, { kind: 'released' });
      })
      .finally(() => {
        this.#held.delete(id);
        const keyCount = (this.#heldKeys.get(partitionKey) ?? 1) - 1;
        if (keyCount > 0) this.#heldKeys.set(partitionKey, keyCount);
        else this.#heldKeys.delete(partitionKey);
        // The next message of this key may be claimable now, unless the settle already claimed it.
        if (this.#state === 'running' && !claimedNext) this.wake();
      });
    this.#held.set(id, held);
    this.#heldKeys.set(partitionKey, (this.#heldKeys.get(partitionKey) ?? 0) + 1);
  }

  /** True when the settle also claimed every message due then (no claim is needed after it). */
  async #deliver(claim: Claim): Promise<boolean> {
    const { message } = claim;
    let work: SettleWork | undefined;
    try {
      await this.#runHandler(message, (given) => {
        work = given;
      });
      if (work === undefined) {
        await this.#settle(claim, { kind: 'done' });
        return false;
      }
      const settled = await this.#settleDoneWith(claim, work);
      if (settled === undefined) return false;
      await this.#take(settled.claims); // first: what follows cannot lose them
      work.committed();
      return settled.complete;
    } catch (error) {
      if (message.attempt >= this.#options.attemptsMax) {
        await this.#quarantine(claim, error);
        return false;
      }
      const availableAtMs = this.context.clock.nowMs() + this.#options.backoff(message.attempt);
      this.context.logger.warn(
        { err: error, messageId: message.id, attempt: message.attempt },
        'bus handler failed',
      );
      await this.#settle(claim, { kind: 'retry', availableAtMs, error: describe(error) });
      return false;
    }
  }

  /** The handler, abandoned after handlerTimeoutMs (its signal aborts; at-least-once covers the overlap). */
  #runHandler(message: BusMessage, settleWith: (work: SettleWork) => void): Promise<void> {
    const { handlerTimeoutMs } = this.#options;
    let open = true; // an abandoned handler's late work is not settled
    return runWithDeadline(this.context.clock, {
      timeoutMs: handlerTimeoutMs,
      parentSignal: this.#abort.signal,
      fn: (signal) =>
        this.handler(message, {
          signal,
          settleWith: (work) => {
            if (open) settleWith(work);
          },
        }),
      timeoutError: () => new TimeoutError(`bus handler did not finish within ${handlerTimeoutMs} ms`),
    }).finally(() => {
      open = false;
    });
  }

  /**
   * Settles done, runs the handler's work, and claims what is due next (the next message of this
   * key among it), all in one transaction: one commit per message instead of two. Undefined (nothing
   * written) when the lease was lost; throws when the work or the commit failed. `complete` when the
   * claim had room for every due message, so no other claim is needed for this settle.
   */
  #settleDoneWith(
    claim: Claim,
    work: SettleWork,
  ): Promise<{ claims: readonly Claim[]; complete: boolean } | undefined> {
    const settling = this.context.db
      .transaction(async (tx) => {
        const settled = await settleClaim(tx, claim, { kind: 'done' }, this.context.clock.nowMs());
        if (!settled) return undefined;
        await work.inTransaction(tx);
        // The settled message still counts as held: the claim leaves room for it.
        const request = this.#claimRequest();
        if (request === undefined) return { claims: [], complete: false };
        const claims = await claimInTransaction(tx, this.context.db.dialect, request);
        return { claims, complete: claims.length < request.limit };
      })
      .then((settled) => {
        if (settled === undefined)
          this.context.logger.warn({ messageId: claim.message.id }, 'bus lease lost before settling');
        return settled;
      });
    const tracked = settling
      .then((settled) => settled !== undefined)
      .catch(() => false)
      .finally(() => this.#settling.delete(tracked));
    this.#settling.add(tracked);
    return settling;
  }

  async #quarantine(claim: Claim, error: unknown): Promise<void> {
    const settled = await this.#settle(claim, { kind: 'quarantined', error: describe(error) });
    if (!settled) return;
    this.context.logger.error({ err: error, messageId: claim.message.id }, 'bus message quarantined');
    this.context.onQuarantine({ message: claim.message, error });
  }

  /** Never throws: a failed settle leaves the lease to expire, and the message is redelivered. */
  #settle(claim: Claim, outcome: Parameters<typeof settleClaim>[2]): Promise<boolean> {
    const settling = this.#trySettle(claim, outcome).finally(() => this.#settling.delete(settling));
    this.#settling.add(settling);
    return settling;
  }

  async #trySettle(claim: Claim, outcome: Parameters<typeof settleClaim>[2]): Promise<boolean> {
    try {
      const settled = await settleClaim(this.context.db, claim, outcome, this.context.clock.nowMs());
      if (!settled)
        this.context.logger.warn({ messageId: claim.message.id }, 'bus lease lost before settling');
      return settled;
    } catch (error) {
      this.context.logger.error(
        { err: error, messageId: claim.message.id },
        'bus settle failed; lease will expire',
      );
      return false;
    }
  }

  #schedulePoll(): void {
    if (this.#state !== 'running') return;
    if (this.#pollTimer !== undefined) this.context.clock.clearTimeout(this.#pollTimer);
    this.#pollTimer = this.context.clock.setTimeout(() => this.wake(), this.#options.pollIntervalMs);
  }

  #scheduleRenewal(): void {
    const periodMs = Math.max(1, Math.floor(this.#options.leaseMs / 3));
    this.#renewTimer = this.context.clock.setTimeout(async () => {
      if (this.#state === 'stopped') return;
      if (this.#held.size > 0) {
        const untilMs = this.context.clock.nowMs() + this.#options.leaseMs;
        const lease = { topic: this.topic, leaseOwner: this.context.leaseOwner, leaseUntilMs: untilMs };
        await renewLeases(this.context.db, lease).catch((error: unknown) => {
          this.context.logger.warn({ err: error, topic: this.topic }, 'bus lease renewal failed');
        });
      }
      this.#scheduleRenewal();
    }, periodMs);
  }

  #waitForInFlight(timeoutMs: number): Promise<boolean> {
    if (this.#held.size === 0) return Promise.resolve(true);
    const all = Promise.allSettled([...this.#held.values()]).then(() => true);
    return raceTimer(this.context.clock, all, timeoutMs, false);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
