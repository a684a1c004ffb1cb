// Runs the retention rules: per table, select a batch of eligible rows (oldest key first), archive it
// durably, then delete in one transaction exactly those rows that are still eligible. A crash between
// the archive and the delete leaves the rows in place and archived: the next run archives them again,
// so an archive holds every deleted row at least once. Each run stops at rowsPerRunMax rows.
import { assert } from '../core/assert.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Logger } from '../logging/logger.js';
import type { Database, Queryable, Row, SqlValue } from '../storage/database.js';
import type { ArchiveWriter } from './archive-writer.js';
import {
  cutoffParams,
  RETENTION_RULES,
  type RetentionHorizon,
  type RetentionRule,
} from './retention-rules.js';

export interface RetentionOptions {
  /** Days each kind of row stays, counted from its timestamp. */
  readonly keepDays: Readonly<Record<RetentionHorizon, number>>;
  /** Time between runs, ms. The first run comes after min(intervalMs, FIRST_RUN_DELAY_MAX_MS). */
  readonly intervalMs: number;
  /** Rows archived and deleted per run at most, over all tables. */
  readonly rowsPerRunMax: number;
  /** Rows per archive file and per delete transaction. */
  readonly batchRows: number;
}

export interface RetentionReport {
  /** Rows archived and deleted, per table (tables with none are absent). */
  readonly deleted: Readonly<Record<string, number>>;
  /** Archive files written by this run. */
  readonly files: readonly string[];
  /** True when the run stopped at rowsPerRunMax with rows left. */
  readonly truncated: boolean;
}

/** Keeps start-up quick while letting a long-stopped instance catch up within a minute of starting. */
export const FIRST_RUN_DELAY_MAX_MS = 60_000;
/** Rows per IN (…) list, below SQLite's and PostgreSQL's bound-parameter limits. */
export const BATCH_ROWS_MAX = 5_000;
const DAY_MS = 86_400_000;

export class RetentionRunner {
  readonly #db: Database;
  readonly #archive: ArchiveWriter;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #options: RetentionOptions;
  readonly #rules: readonly RetentionRule[];
  readonly #onRunEnded: (error: unknown) => void;
  readonly #shouldRun: () => boolean;
  #timer: TimerHandle | undefined;
  #running = false;
  #stopped = true;

  constructor(input: {
    readonly db: Database;
    readonly archive: ArchiveWriter;
    readonly clock: Clock;
    readonly logger: Logger;
    readonly options: RetentionOptions;
    readonly rules?: readonly RetentionRule[];
    /** False on an instance that must not prune (a cluster standby). Default: always true. */
    readonly shouldRun?: () => boolean;
    /** Told after each periodic run: undefined when it succeeded, else its error (tried again next interval). */
    readonly onRunEnded?: (error: unknown) => void;
  }) {
    const { options } = input;
    for (const [horizon, days] of Object.entries(options.keepDays))
      if (!Number.isInteger(days) || days < 1)
        throw new RangeError(`keepDays.${horizon} must be >= 1, was ${days}`);
    if (!Number.isInteger(options.batchRows) || options.batchRows < 1 || options.batchRows > BATCH_ROWS_MAX)
      throw new RangeError(
        `batchRows must be an integer in [1, ${BATCH_ROWS_MAX}], was ${options.batchRows}`,
      );
    if (!Number.isInteger(options.rowsPerRunMax) || options.rowsPerRunMax < 1)
      throw new RangeError(`rowsPerRunMax must be an integer >= 1, was ${options.rowsPerRunMax}`);
    if (!Number.isInteger(options.intervalMs) || options.intervalMs < 1)
      throw new RangeError(`intervalMs must be an integer >= 1, was ${options.intervalMs}`);
    this.#db = input.db;
    this.#archive = input.archive;
    this.#clock = input.clock;
    this.#logger = input.logger.child({ component: 'retention' });
    this.#options = options;
    this.#rules = input.rules ?? RETENTION_RULES;
    this.#shouldRun = input.shouldRun ?? (() => true);
    this.#onRunEnded = input.onRunEnded ?? (() => undefined);
  }

  start(): void {
    this.#stopped = false;
    this.#schedule(Math.min(this.#options.intervalMs, FIRST_RUN_DELAY_MAX_MS));
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** One bounded run over every rule, oldest rows first. */
  async runOnce(): Promise<RetentionReport> {
    const deleted: Record<string, number> = {};
    const files: string[] = [];
    let total = 0;
    const nowMs = this.#clock.nowMs();
    for (const rule of this.#rules) {
      const cutoffAtMs = nowMs - this.#options.keepDays[rule.horizon] * DAY_MS;
      while (total < this.#options.rowsPerRunMax) {
        const limit = Math.min(this.#options.batchRows, this.#options.rowsPerRunMax - total);
        const batch = await this.#pruneBatch(rule, cutoffAtMs, limit, nowMs);
        if (batch.file !== undefined) files.push(batch.file);
        if (batch.count > 0) deleted[rule.table] = (deleted[rule.table] ?? 0) + batch.count;
        total += batch.count;
        if (batch.selected < limit) break;
      }
    }
    const truncated = total >= this.#options.rowsPerRunMax;
    if (total > 0)
      this.#logger.info({ deleted, fileCount: files.length, truncated }, 'retention run archived rows');
    return { deleted, files, truncated };
  }

  async #pruneBatch(
    rule: RetentionRule,
    cutoffAtMs: number,
    limit: number,
    nowMs: number,
  ): Promise<{ selected: number; count: number; file?: string }> {
    const params = cutoffParams(rule, cutoffAtMs);
    const rows = await this.#db.query(
      `SELECT * FROM ${rule.table} WHERE ${rule.eligible} ORDER BY ${rule.keyColumn} LIMIT ?`,
      [...params, limit],
    );
    if (rows.length === 0) return { selected: 0, count: 0 };
    const keys = rows.map((row) => row[rule.keyColumn] as SqlValue);
    const records = await withChildren(this.#db, rule, rows, keys);
    const file = this.#archive.write({ table: rule.table, atMs: nowMs, rows: records });
    const count = await this.#db.transaction(async (tx) => deleteStillEligible(tx, rule, keys, params));
    assert(count <= rows.length, `retention deleted ${count} rows of a batch of ${rows.length}`);
    return { selected: rows.length, count, file };
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = this.#clock.setTimeout(() => void this.#tick(), delayMs);
  }

  async #tick(): Promise<void> {
    if (this.#running || this.#stopped) return;
    this.#running = true;
    try {
      if (this.#shouldRun()) {
        await this.runOnce();
        this.#onRunEnded(undefined);
      }
    } catch (error) {
      this.#logger.error({ err: error }, 'retention run failed');
      this.#onRunEnded(error);
    } finally {
      this.#running = false;
      this.#schedule(this.#options.intervalMs);
    }
  }
}

/** Each row with its children's rows under the child table's name. */
async function withChildren(
  db: Queryable,
  rule: RetentionRule,
  rows: readonly Row[],
  keys: readonly SqlValue[],
): Promise<Row[]> {
  const children = rule.children ?? [];
  if (children.length === 0) return [...rows];
  const records = rows.map((row) => ({ ...row }));
  const byKey = new Map(records.map((record) => [String(record[rule.keyColumn]), record]));
  for (const child of children) {
    for (const record of records) record[child.table] = [];
    const childRows = await db.query(
      `SELECT * FROM ${child.table} WHERE ${child.parentColumn} IN (${placeholders(keys.length)})`,
      keys,
    );
    for (const childRow of childRows)
      (byKey.get(String(childRow[child.parentColumn]))?.[child.table] as Row[] | undefined)?.push(childRow);
  }
  return records;
}

/** Deletes the batch's rows that are still eligible (children first); returns how many parents went. */
async function deleteStillEligible(
  tx: Queryable,
  rule: RetentionRule,
  keys: readonly SqlValue[],
  params: readonly SqlValue[],
): Promise<number> {
  const still = await tx.query(
    `SELECT ${rule.keyColumn} AS k FROM ${rule.table} WHERE ${rule.keyColumn} IN (${placeholders(keys.length)}) AND ${rule.eligible}`,
    [...keys, ...params],
  );
  if (still.length === 0) return 0;
  const stillKeys = still.map((row) => row.k as SqlValue);
  const list = placeholders(stillKeys.length);
  for (const child of rule.children ?? [])
    await tx.execute(`DELETE FROM ${child.table} WHERE ${child.parentColumn} IN (${list})`, stillKeys);
  const { changes } = await tx.execute(
    `DELETE FROM ${rule.table} WHERE ${rule.keyColumn} IN (${list})`,
    stillKeys,
  );
  assert(changes === stillKeys.length, `retention deleted ${changes} of ${stillKeys.length} eligible rows`);
  return changes;
}

const placeholders = (count: number): string => Array.from({ length: count }, () => '?').join(', ');
