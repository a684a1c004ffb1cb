// Who trades: the lease holder runs one term at a time (opening balances, resume open orders,
// consume signals, reconcile); a demotion ends the term at once. Without a lease this instance
// leads from start to stop. An Engine cannot start twice, so every term gets a fresh one.
import type { Disposable } from '../core/events.js';
import type { Engine } from '../engine/engine.js';
import type { Logger } from '../logging/logger.js';
import type { Ledger } from '../position/ledger.js';
import type { LeaderLease } from '../storage/leadership/leader-lease.js';
import type { ReconciliationLoop } from './reconciliation-loop.js';

/** What a term needs of the engine, ledger and reconciliation loop. */
export type TermEngine = Pick<Engine, 'start' | 'stop'>;

export interface TradingRoleOptions<E extends TermEngine = Engine> {
  /** Undefined: a single machine, always the leader. */
  readonly lease: Pick<LeaderLease, 'isLeader' | 'onElected' | 'onDemoted' | 'start' | 'release'> | undefined;
  readonly ledger: Pick<Ledger, 'refresh'>;
  readonly reconciliation: Pick<ReconciliationLoop, 'initialize' | 'start' | 'stop'>;
  /** A new engine for a new term, with its listeners wired; the disposable removes them. */
  readonly createEngine: () => { engine: E; listeners: Disposable };
  /** After a term ends: this instance stands by (e.g. no start-up recovery is pending any more). */
  readonly onStandby?: () => void;
  /** How long a stopping engine may drain its in-flight messages, ms. */
  readonly stopGraceMs: number;
  readonly logger: Logger;
}

interface Term<E> {
  readonly engine: E;
  readonly listeners: Disposable;
  stopped: boolean;
}

export class TradingRole<E extends TermEngine = Engine> {
  readonly #o: TradingRoleOptions<E>;
  readonly #logger: Logger;
  readonly #subscriptions: Disposable[] = [];
  #term: Term<E> | undefined;
  /** Term starts and stops, in order: a new term begins only after the last one ended. */
  #settled: Promise<void> = Promise.resolve();
  #engine: E | undefined;
  #started = false;

  constructor(options: TradingRoleOptions<E>) {
    if (!Number.isSafeInteger(options.stopGraceMs) || options.stopGraceMs < 0)
      throw new RangeError(`stopGraceMs must be an integer >= 0, was ${options.stopGraceMs}`);
    this.#o = options;
    this.#logger = options.logger.child({ component: 'trading-role' });
  }

  /** True while this instance may trade (no lease: always). */
  get isLeader(): boolean {
    return this.#o.lease?.isLeader ?? true;
  }

  /** The engine of the current or latest term; undefined before the first election. */
  get engine(): E | undefined {
    return this.#engine;
  }

  /** Resolves when the term starts and stops asked for so far are done. */
  settled(): Promise<void> {
    return this.#settled;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    const { lease } = this.#o;
    if (lease === undefined) {
      this.#elect();
      return;
    }
    this.#subscriptions.push(
      lease.onElected((info) => {
        this.#logger.info({ token: info.token }, 'elected: starting to trade');
        this.#elect();
      }),
      lease.onDemoted((demotion) => {
        this.#logger.warn({ token: demotion.token, reason: demotion.reason }, 'demoted: trading stops');
        this.#demote();
      }),
    );
    lease.start();
  }

  /** Ends the current term and gives the lease up so a standby takes over at once. */
  async stop(): Promise<void> {
    if (this.#o.lease === undefined) this.#demote();
    else await this.#o.lease.release(); // emits onDemoted, which ends the term
    this.#demote();
    for (const subscription of this.#subscriptions.splice(0)) subscription.dispose();
    await this.#settled;
  }

  #elect(): void {
    this.#demote(); // a term still open (a missed demotion) ends first
    const { engine, listeners } = this.#o.createEngine();
    const term: Term<E> = { engine, listeners, stopped: false };
    this.#term = term;
    this.#engine = engine;
    this.#settled = this.#settled.then(() => this.#run(term));
  }

  async #run(term: Term<E>): Promise<void> {
    if (term.stopped) return;
    try {
      await this.#o.ledger.refresh(); // the previous leader posted fills this instance has not read
      await this.#o.reconciliation.initialize(() => term.stopped);
      if (term.stopped) return;
      await term.engine.start();
      // Demoted while open orders were resumed: start() subscribed after the stop; undo that.
      if (term.stopped) await term.engine.stop(this.#o.stopGraceMs);
      else this.#o.reconciliation.start();
    } catch (error) {
      if (!term.stopped) this.#logger.fatal({ err: error }, 'trading could not start');
    }
  }

  /** Synchronous first: the reconciliation timer and the engine's waits are stopped before returning. */
  #demote(): void {
    const term = this.#term;
    if (term === undefined) return;
    this.#term = undefined;
    term.stopped = true;
    this.#o.reconciliation.stop();
    this.#o.onStandby?.();
    const stopping = term.engine.stop(this.#o.stopGraceMs).catch((error: unknown) => {
      this.#logger.error({ err: error }, 'engine stop failed');
    });
    this.#settled = Promise.all([this.#settled, stopping]).then(() => term.listeners.dispose());
  }
}
