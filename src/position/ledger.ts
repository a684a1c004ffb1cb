// The double-entry ledger: one DB transaction per posting set, exactly-once per idempotency key,
// balances rebuilt from the stored entries on open and proven balanced per asset.
import { assert } from '../core/assert.js';
import { type Clock, systemClock } from '../core/clock.js';
import type { Decimal } from '../core/decimal.js';
import { type Logger, silentLogger } from '../logging/logger.js';
import type { Database } from '../storage/database.js';
import { isUniqueViolationError } from '../storage/errors.js';
import { Mutex } from '../storage/mutex.js';
import { normalBalanceMinor, parseAccount, walletAvailable, walletBlocked } from './accounts.js';
import { IdempotencyConflictError, InvalidPostingError } from './errors.js';
import { LedgerState } from './ledger-state.js';
import {
  findPostingByKey,
  insertPosting,
  LEDGER_MIGRATIONS,
  LOAD_PAGE_SIZE,
  loadAccountEntries,
  loadPostingsAfter,
  loadPostingsWhere,
  sumAccountAt,
} from './ledger-store.js';
import { type HistoryEntry, type TrialBalanceRow, toHistory, trialBalanceOf } from './ledger-views.js';
import type { PositionView } from './positions.js';
import {
  decimalOf,
  type Entry,
  type Posting,
  type PostingDraft,
  type PostResult,
  sumsByAsset,
  validateDraft,
} from './posting.js';
import {
  type AdjustmentInput,
  buildAdjustment,
  buildExternal,
  buildFill,
  buildOpening,
  buildOrderBlocked,
  buildOrderReleased,
  type ExternalInput,
  type FillInput,
  type OpeningInput,
  type OrderBlockedInput,
  type OrderReleasedInput,
} from './posting-builders.js';

export interface LedgerOptions {
  readonly database: Database;
  /** Time of each posting. Default systemClock. */
  readonly clock?: Clock;
  readonly logger?: Logger;
}

export interface AssetBalances {
  readonly asset: string;
  readonly available: Decimal;
  readonly blocked: Decimal;
  /** available + blocked: what the exchange calls `balance`. */
  readonly total: Decimal;
}

export interface HistoryOptions {
  /** Inclusive lower bound on the posting time, epoch ms. Default 0. */
  readonly fromMs?: number;
  /** Exclusive upper bound on the posting time, epoch ms. Default no bound. */
  readonly toMs?: number;
  /** Rows at most. Default and maximum HISTORY_LIMIT_MAX. */
  readonly limit?: number;
}

export const HISTORY_LIMIT_MAX = 10_000;
/** Insert attempts when a concurrent writer takes the next seq (only with two writers on PostgreSQL). */
export const SEQ_ATTEMPTS_MAX = 5;
/** Postings returned by order id or trade id at most: an order has a few fills, not thousands. */
export const POSTINGS_PER_QUERY_MAX = 1_000;

export class Ledger {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #state = new LedgerState();
  // Builds a draft from the state and commits it as one step, so a fill sees the blocks before it.
  readonly #mutex = new Mutex(10_000);

  private constructor(options: LedgerOptions) {
    this.#db = options.database;
    this.#clock = options.clock ?? systemClock;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'ledger' });
  }

  /** Migrates, rebuilds state from every stored posting and checks each asset balances. */
  static async open(options: LedgerOptions): Promise<Ledger> {
    await options.database.migrate(LEDGER_MIGRATIONS);
    const ledger = new Ledger(options);
    await ledger.#catchUp();
    for (const asset of ledger.assets())
      assert(ledger.isBalanced(asset), `ledger unbalanced in ${asset} after load`);
    ledger.#logger.info({ postingCount: ledger.#state.lastSeq }, 'ledger loaded');
    return ledger;
  }

  /** Posts a hand-built draft (any kind but `fill`: positions are derived from postFill's metadata). */
  post(draft: PostingDraft): Promise<PostResult> {
    if (draft.kind === 'fill') return Promise.reject(new InvalidPostingError('post fills with postFill'));
    return this.#mutex.run(() => this.#post(() => draft));
  }

  postFill(fill: FillInput): Promise<PostResult> {
    return this.#mutex.run(() => this.#post(() => buildFill(fill, this.#blocked)));
  }

  postOrderBlocked(input: OrderBlockedInput): Promise<PostResult> {
    return this.#mutex.run(() => this.#post(() => buildOrderBlocked(input)));
  }

  postOrderReleased(input: OrderReleasedInput): Promise<PostResult> {
    const key = `release:${input.orderId}:${input.seq}`;
    return this.#mutex.run(() => this.#post(() => buildOrderReleased(input, this.#blocked), key));
  }

  postExternal(input: ExternalInput): Promise<PostResult> {
    return this.#mutex.run(() => this.#post(() => buildExternal(input)));
  }

  postOpening(input: OpeningInput): Promise<PostResult> {
    return this.#mutex.run(() => this.#post(() => buildOpening(input)));
  }

  postAdjustment(input: AdjustmentInput): Promise<PostResult> {
    return this.#mutex.run(() => this.#post(() => buildAdjustment(input)));
  }

  /** Balance on the account's normal side; with atMs, from the stored entries posted at or before it. */
  async balance(account: string, options: { readonly atMs?: number } = {}): Promise<Decimal> {
    const { kind } = parseAccount(account);
    const signedMinor =
      options.atMs === undefined
        ? this.#state.accountMinor(account)
        : await sumAccountAt(this.#db, account, options.atMs);
    return decimalOf(normalBalanceMinor(kind, signedMinor));
  }

  balances(asset: string): AssetBalances {
    const availableMinor = this.#state.accountMinor(walletAvailable(asset));
    const blockedMinor = this.#state.accountMinor(walletBlocked(asset));
    return {
      asset,
      available: decimalOf(availableMinor),
      blocked: decimalOf(blockedMinor),
      total: decimalOf(availableMinor + blockedMinor),
    };
  }

  /** Seq of the last posting applied: changes whenever anything is posted. */
  get lastSeq(): number {
    return this.#state.lastSeq;
  }

  /** Assets with at least one entry, sorted. */
  assets(): string[] {
    return [...this.#state.assetSums().keys()].sort();
  }

  /** Signed sums of all accounts (debit positive), for checks and snapshots. */
  accountSumsMinor(): ReadonlyMap<string, bigint> {
    return new Map(this.#state.accountSums);
  }

  blockedForOrder(orderId: string, asset: string): Decimal {
    return decimalOf(this.#state.blockedForOrderMinor(orderId, asset));
  }

  isBalanced(asset: string): boolean {
    return (this.#state.assetSums().get(asset) ?? 0n) === 0n;
  }

  trialBalance(): TrialBalanceRow[] {
    return trialBalanceOf(this.#state.accountSums);
  }

  positions(): PositionView[] {
    return this.#state.positions.views();
  }

  async history(account: string, options: HistoryOptions = {}): Promise<HistoryEntry[]> {
    const limit = options.limit ?? HISTORY_LIMIT_MAX;
    assert(
      Number.isInteger(limit) && limit > 0 && limit <= HISTORY_LIMIT_MAX,
      `limit out of range, was ${limit}`,
    );
    const rows = await loadAccountEntries(this.#db, account, {
      fromMs: options.fromMs ?? 0,
      toMs: options.toMs ?? Number.MAX_SAFE_INTEGER,
      limit,
    });
    return toHistory(parseAccount(account).kind, rows);
  }

  /** Stored postings with seq > afterSeq, in journal order, at most `limit` (≤ LOAD_PAGE_SIZE). */
  postingsAfter(afterSeq: number, limit = LOAD_PAGE_SIZE): Promise<Posting[]> {
    assert(
      Number.isInteger(limit) && limit > 0 && limit <= LOAD_PAGE_SIZE,
      `limit out of range, was ${limit}`,
    );
    return loadPostingsAfter(this.#db, afterSeq, limit);
  }

  postingsByOrder(orderId: string): Promise<Posting[]> {
    return loadPostingsWhere(this.#db, 'order_id', orderId, POSTINGS_PER_QUERY_MAX);
  }

  async postingByTrade(tradeId: string): Promise<Posting | undefined> {
    const [posting] = await loadPostingsWhere(this.#db, 'trade_id', tradeId, 1);
    return posting;
  }

  /** Reads postings another writer (another instance on the same store) committed since the last look. */
  refresh(): Promise<void> {
    return this.#mutex.run(() => this.#catchUp());
  }

  /** Rebuilds state from the database and compares it with the live state; throws on any difference. */
  async verifyAgainstStore(): Promise<void> {
    const fresh = await Ledger.open({ database: this.#db, clock: this.#clock, logger: this.#logger });
    const live = this.accountSumsMinor();
    const stored = fresh.accountSumsMinor();
    assert(live.size === stored.size, `live state has ${live.size} accounts, store ${stored.size}`);
    for (const [account, sumMinor] of live)
      assert(stored.get(account) === sumMinor, `account ${account} differs between live state and store`);
  }

  readonly #blocked = (orderId: string, asset: string): bigint =>
    this.#state.blockedForOrderMinor(orderId, asset);

  async #post(build: () => PostingDraft, knownKey?: string): Promise<PostResult> {
    // A retried operation returns what was posted before, even if its input would no longer validate.
    if (knownKey !== undefined) {
      const existing = await findPostingByKey(this.#db, knownKey);
      if (existing !== undefined) return { posting: existing, created: false };
    }
    const draft = build();
    const entries = validateDraft(draft);
    for (const [asset, sumMinor] of sumsByAsset(entries))
      assert(sumMinor === 0n, `draft unbalanced in ${asset}`);
    const atMs = this.#clock.nowMs();
    const posting = await this.#insert(draft, entries, atMs);
    if (posting === undefined) return this.#existing(draft);
    if (posting.seq === this.#state.lastSeq + 1) this.#state.apply(posting);
    else await this.#catchUp(); // another writer posted in between: read its postings too
    for (const { asset } of entries)
      assert(this.isBalanced(asset), `ledger unbalanced in ${asset} after post`);
    this.#logger.debug({ seq: posting.seq, key: draft.idempotencyKey, kind: draft.kind }, 'posted');
    return { posting, created: true };
  }

  /** One transaction; retried when another writer took the same seq first (PostgreSQL, two instances). */
  async #insert(draft: PostingDraft, entries: readonly Entry[], atMs: number): Promise<Posting | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#db.transaction((tx) => insertPosting(tx, draft, entries, atMs));
      } catch (error) {
        if (!isUniqueViolationError(error) || attempt >= SEQ_ATTEMPTS_MAX) throw error;
        this.#logger.warn(
          { key: draft.idempotencyKey, attempt },
          'journal seq taken by another writer; retrying',
        );
      }
    }
  }

  async #existing(draft: PostingDraft): Promise<PostResult> {
    const existing = await findPostingByKey(this.#db, draft.idempotencyKey);
    assert(existing !== undefined, `posting ${draft.idempotencyKey} conflicted but cannot be read`);
    if (existing.kind !== draft.kind)
      throw new IdempotencyConflictError(
        `key ${draft.idempotencyKey} was posted as ${existing.kind}, now asked as ${draft.kind}`,
      );
    if (existing.seq > this.#state.lastSeq) await this.#catchUp();
    return { posting: existing, created: false };
  }

  async #catchUp(): Promise<void> {
    for (;;) {
      const page = await loadPostingsAfter(this.#db, this.#state.lastSeq, LOAD_PAGE_SIZE);
      for (const posting of page) {
        for (const [asset, sumMinor] of sumsByAsset(posting.entries))
          assert(sumMinor === 0n, `stored posting ${posting.seq} unbalanced in ${asset}`);
        this.#state.apply(posting);
      }
      if (page.length < LOAD_PAGE_SIZE) return;
    }
  }
}
