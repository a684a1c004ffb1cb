// The reconciliation loop: ledger wallets vs exchange wallets per currency. A match is recorded,
// a difference within tolerance is corrected by an audited adjustment posting, a larger one is a
// breach that stays flagged until a person acknowledges it (the engine halts meanwhile).
import { type Clock, systemClock, type TimerHandle } from '../core/clock.js';
import type { Decimal } from '../core/decimal.js';
import { type Event, EventEmitter } from '../core/events.js';
import { type Logger, silentLogger } from '../logging/logger.js';
import type { Database } from '../storage/database.js';
import { Mutex } from '../storage/mutex.js';
import { SnapshotTornError } from './errors.js';
import type { Ledger } from './ledger.js';
import type { Posting } from './posting.js';
import { compareWallets, type LedgerWallet } from './reconciliation-compare.js';
import type {
  BreachEvent,
  CorrectedEvent,
  MatchEvent,
  ReconciliationErrorEvent,
  UnknownOrdersEvent,
} from './reconciliation-events.js';
import {
  type InFlight,
  RECONCILER_DEFAULTS,
  type ReconcilerOptions,
  validateReconcilerOptions,
} from './reconciliation-options.js';
import {
  type ReconciliationResult,
  type ReconciliationRow,
  type ReconciliationRunKind,
  statusOf,
  summarize,
} from './reconciliation-result.js';
import {
  correctRow,
  fetchSnapshot,
  ledgerWallets,
  openRow,
  type Snapshot,
  skipInFlight,
  withTimeout,
} from './reconciliation-steps.js';
import {
  findUnacknowledgedBreach,
  hasFinishedInitialize,
  insertAcknowledgement,
  loadLatestComparedRun,
  RECONCILIATION_MIGRATIONS,
  reserveRun,
  saveOutcome,
  type UnacknowledgedBreach,
} from './reconciliation-store.js';

const NOTHING_IN_FLIGHT: InFlight = { assets: new Set(), reasons: [] };

export class Reconciler {
  readonly #options: ReconcilerOptions;
  readonly #ledger: Ledger;
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #tolerance: (asset: string) => Decimal;
  // Runs one at a time: a correction must see the ledger the comparison saw.
  readonly #mutex = new Mutex(100);
  readonly #matchEmitter = new EventEmitter<MatchEvent>();
  readonly #correctedEmitter = new EventEmitter<CorrectedEvent>();
  readonly #breachEmitter = new EventEmitter<BreachEvent>();
  readonly #unknownOrdersEmitter = new EventEmitter<UnknownOrdersEvent>();
  readonly #errorEmitter = new EventEmitter<ReconciliationErrorEvent>();
  #running: Promise<ReconciliationResult> | undefined;
  #timer: TimerHandle | undefined;
  #started = false;
  #last: ReconciliationResult | undefined;

  readonly onMatch: Event<MatchEvent> = this.#matchEmitter.addListener;
  readonly onCorrected: Event<CorrectedEvent> = this.#correctedEmitter.addListener;
  readonly onBreach: Event<BreachEvent> = this.#breachEmitter.addListener;
  readonly onUnknownOrders: Event<UnknownOrdersEvent> = this.#unknownOrdersEmitter.addListener;
  readonly onError: Event<ReconciliationErrorEvent> = this.#errorEmitter.addListener;

  private constructor(options: ReconcilerOptions) {
    const tolerances = validateReconcilerOptions(options);
    this.#tolerance = (asset) => tolerances.byAsset.get(asset) ?? tolerances.fallback;
    this.#options = options;
    this.#ledger = options.ledger;
    this.#db = options.database;
    this.#clock = options.clock ?? systemClock;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'reconciliation' });
  }

  /** Validates the options and migrates the audit tables. */
  static async create(options: ReconcilerOptions): Promise<Reconciler> {
    const reconciler = new Reconciler(options);
    await options.database.migrate(RECONCILIATION_MIGRATIONS);
    return reconciler;
  }

  /** Runs one comparison; concurrent callers share the run in flight. Fetch failures give status `error`. */
  runOnce(): Promise<ReconciliationResult> {
    if (this.#running === undefined) {
      this.#running = this.#mutex
        .run(() => this.#reconcile())
        .finally(() => {
          this.#running = undefined;
        });
    }
    return this.#running;
  }

  /** Whether a first run has finished; see hasFinishedInitialize. */
  isInitialized(): Promise<boolean> {
    return hasFinishedInitialize(this.#db);
  }

  /** First run: posts opening balances (external:<asset>) for currencies the ledger has never seen. */
  initializeFromExchange(): Promise<ReconciliationResult> {
    return this.#mutex.run(() => this.#initialize());
  }

  /** Records who acknowledged a breach; clears the flag for that run and every earlier one. */
  async acknowledgeBreach(input: { readonly runId: string; readonly by: string }): Promise<void> {
    if (input.by.trim().length === 0)
      throw new RangeError('by must name the person who acknowledges, was empty');
    await insertAcknowledgement(this.#db, { ...input, atMs: this.#clock.nowMs() });
    this.#logger.warn({ runId: input.runId, by: input.by }, 'reconciliation breach acknowledged');
  }

  /** The latest breach nobody has acknowledged yet: while defined, the engine must stay HALTED. */
  unacknowledgedBreach(): Promise<UnacknowledgedBreach | undefined> {
    return findUnacknowledgedBreach(this.#db);
  }

  async hasUnacknowledgedBreach(): Promise<boolean> {
    return (await this.unacknowledgedBreach()) !== undefined;
  }

  lastResult(): ReconciliationResult | undefined {
    return this.#last;
  }

  /** The newest run that compared wallets, from this process or, after a restart, from the store. */
  async lastCompared(): Promise<ReconciliationResult | undefined> {
    if (this.#last !== undefined && this.#last.status !== 'error') return this.#last;
    return loadLatestComparedRun(this.#db);
  }

  get lastRunAtMs(): number | undefined {
    return this.#last?.finishedAtMs;
  }

  /** Runs every intervalMs (the first run one interval after start) until stop(). */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#schedule();
  }

  /** Stops the schedule and waits for a run in flight. */
  async stop(): Promise<void> {
    this.#started = false;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  #schedule(): void {
    const intervalMs = this.#options.intervalMs ?? RECONCILER_DEFAULTS.intervalMs;
    this.#timer = this.#clock.setTimeout(() => void this.#tick(), intervalMs);
  }

  async #tick(): Promise<void> {
    this.#timer = undefined;
    try {
      await this.runOnce();
    } catch (error) {
      // Storage failed, so nothing was recorded: report it and keep the schedule.
      this.#logger.error({ err: error }, 'reconciliation run could not be stored');
      this.#errorEmitter.emit({ error });
    }
    if (this.#started) this.#schedule();
  }

  async #reconcile(): Promise<ReconciliationResult> {
    const startedAtMs = this.#clock.nowMs();
    const { runId } = await reserveRun(this.#db, 'reconcile', startedAtMs);
    let snapshot: Snapshot;
    let wallets: Map<string, LedgerWallet>;
    let inFlight: InFlight;
    try {
      [snapshot, wallets, inFlight] = await this.#consistentSnapshot();
    } catch (error) {
      return this.#fail({ runId, kind: 'reconcile', startedAtMs }, error);
    }
    const comparisons = compareWallets({
      ledger: wallets,
      exchange: snapshot.wallets,
      tolerance: this.#tolerance,
    });
    const corrections = new Map<string, Posting>();
    const rows: ReconciliationRow[] = [];
    for (const comparison of comparisons) {
      if (comparison.action !== 'match' && inFlight.assets.has(comparison.asset)) {
        rows.push(skipInFlight(comparison, inFlight));
        continue;
      }
      const { row, posting } = await correctRow(this.#ledger, runId, comparison);
      rows.push(row);
      if (posting !== undefined) corrections.set(row.asset, posting);
    }
    const run = {
      runId,
      kind: 'reconcile' as const,
      startedAtMs,
      rows,
      unknownOrders: snapshot.unknownOrders,
    };
    return this.#finish(run, corrections);
  }

  /**
   * Catches up on the exchange's trades of live orders, then fetches, then catches up again, until
   * the ledger did not move across the fetch: both sides then describe one moment, and every fill
   * that happened before the fetch is posted (a fill in flight is never taken for a discrepancy).
   */
  async #consistentSnapshot(): Promise<[Snapshot, Map<string, LedgerWallet>, InFlight]> {
    const attemptsMax = this.#options.fetchAttemptsMax ?? RECONCILER_DEFAULTS.fetchAttemptsMax;
    await this.#catchUp();
    for (let attempt = 1; ; attempt++) {
      const seqBefore = this.#ledger.lastSeq;
      const snapshot = await this.#fetch();
      const inFlight = await this.#catchUp();
      if (this.#ledger.lastSeq === seqBefore) return [snapshot, ledgerWallets(this.#ledger), inFlight];
      if (attempt >= attemptsMax)
        throw new SnapshotTornError(`ledger kept changing during ${attemptsMax} fetches; nothing compared`);
    }
  }

  #catchUp(): Promise<InFlight> {
    const catchUp = this.#options.catchUp;
    if (catchUp === undefined) return Promise.resolve(NOTHING_IN_FLIGHT);
    const timeoutMs = this.#options.fetchTimeoutMs ?? RECONCILER_DEFAULTS.fetchTimeoutMs;
    return withTimeout(this.#clock, catchUp(), timeoutMs, 'catchUp');
  }

  #fetch(): Promise<Snapshot> {
    const timeoutMs = this.#options.fetchTimeoutMs ?? RECONCILER_DEFAULTS.fetchTimeoutMs;
    return fetchSnapshot(this.#options, this.#clock, timeoutMs);
  }

  async #initialize(): Promise<ReconciliationResult> {
    const startedAtMs = this.#clock.nowMs();
    const { runId } = await reserveRun(this.#db, 'initialize', startedAtMs);
    let snapshot: Snapshot;
    try {
      snapshot = await this.#fetch();
    } catch (error) {
      return this.#fail({ runId, kind: 'initialize', startedAtMs }, error);
    }
    const ledger = ledgerWallets(this.#ledger);
    const comparisons = compareWallets({ ledger, exchange: snapshot.wallets, tolerance: this.#tolerance });
    const rows: ReconciliationRow[] = [];
    for (const comparison of comparisons) rows.push(await openRow(this.#ledger, runId, comparison));
    return this.#finish({
      runId,
      kind: 'initialize',
      startedAtMs,
      rows,
      unknownOrders: snapshot.unknownOrders,
    });
  }

  async #fail(
    run: { readonly runId: string; readonly kind: ReconciliationRunKind; readonly startedAtMs: number },
    error: unknown,
  ): Promise<ReconciliationResult> {
    const message = error instanceof Error ? error.message : String(error);
    const result = await this.#finish({ ...run, rows: [], unknownOrders: [], error: message });
    this.#logger.error({ runId: run.runId, err: error }, 'reconciliation could not fetch; nothing compared');
    this.#errorEmitter.emit({ runId: run.runId, error });
    return result;
  }

  async #finish(
    run: Omit<ReconciliationResult, 'finishedAtMs' | 'status' | 'summary'>,
    corrections: ReadonlyMap<string, Posting> = new Map(),
  ): Promise<ReconciliationResult> {
    const summary = summarize(run.rows, run.unknownOrders.length);
    const status = run.error === undefined ? statusOf(summary) : 'error';
    const result: ReconciliationResult = { ...run, finishedAtMs: this.#clock.nowMs(), status, summary };
    await saveOutcome(this.#db, result); // on disk before anyone hears about it
    this.#last = result;
    this.#report(result, corrections);
    return result;
  }

  #report(result: ReconciliationResult, corrections: ReadonlyMap<string, Posting>): void {
    const { runId } = result;
    for (const row of result.rows) {
      const posting = corrections.get(row.asset);
      if (row.action === 'match') this.#matchEmitter.emit({ runId, row });
      if (row.action === 'corrected' && posting !== undefined) {
        this.#logger.info(
          { runId, asset: row.asset, difference: row.totalDifference.toFixed() },
          'corrected',
        );
        this.#correctedEmitter.emit({ runId, row, posting });
      }
    }
    const breached = result.rows.filter((row) => row.action === 'breach');
    if (breached.length > 0) {
      const assets = breached.map((row) => row.asset);
      this.#logger.error(
        { severity: 'critical', runId, assets },
        'ledger and exchange disagree beyond tolerance',
      );
      this.#breachEmitter.emit({ runId, rows: breached });
    }
    if (result.unknownOrders.length > 0) {
      const orderIds = result.unknownOrders.map((order) => order.id);
      this.#logger.warn({ runId, orderIds }, 'open orders on the exchange that the journal does not know');
      this.#unknownOrdersEmitter.emit({ runId, orders: result.unknownOrders });
    }
    this.#logger.info(
      { runId, kind: result.kind, status: result.status, ...result.summary },
      'reconciliation run',
    );
  }
}
