// SQLite backend on better-sqlite3. WAL journal; synchronous FULL by default so that an acknowledged
// write survives kill -9 and power loss: a write resolves only after its commit is fsynced, the
// fsync shared by concurrent writers and run off the event loop (see wal-sync.ts). Calls are
// serialized by a mutex, so a transaction that awaits in the middle never interleaves with other
// statements on the one connection, nor with another connection to the same file in this process.
import { mkdirSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  applyMigration,
  type Database,
  MIGRATIONS_TABLE_SQL,
  type Migration,
  type Queryable,
  type Row,
  type SqlValue,
} from './database.js';
import { StorageError, UniqueViolationError } from './errors.js';
import { Mutex } from './mutex.js';
import { WalSync } from './wal-sync.js';

export interface SqliteOptions {
  /** File path, or ':memory:'. Parent folders are created. */
  readonly path: string;
  /** 'FULL' (default): a write resolves once its commit is fsynced; 'NORMAL' survives kill -9, not power loss. */
  readonly synchronous?: 'FULL' | 'NORMAL';
  /** How long to wait on a lock held by another process, ms. Default 5000. */
  readonly busyTimeoutMs?: number;
}

export class SqliteDatabase implements Database {
  readonly dialect = 'sqlite' as const;
  readonly #db: BetterSqlite3.Database;
  readonly #mutex: Mutex;
  readonly #release: () => void;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();
  /** Set for a file with synchronous FULL: writes resolve after the WAL fsync that covers them. */
  readonly #walSync: WalSync | undefined;
  #inTransaction = false;
  /** A statement of the open transaction wrote. */
  #wrote = false;

  constructor(options: SqliteOptions) {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    this.#db = new BetterSqlite3(options.path, { timeout: options.busyTimeoutMs ?? 5_000 });
    ({ mutex: this.#mutex, release: this.#release } = acquireFileMutex(options.path));
    this.#db.pragma('journal_mode = WAL');
    const durable = (options.synchronous ?? 'FULL') === 'FULL' && options.path !== ':memory:';
    // FULL's guarantee, kept by WalSync: NORMAL plus an fsync of the WAL before each write resolves.
    this.#walSync = durable ? new WalSync(options.path) : undefined;
    this.#db.pragma(`synchronous = ${durable ? 'NORMAL' : (options.synchronous ?? 'FULL')}`);
    this.#db.pragma('foreign_keys = ON');
    // Statement journals (a savepoint's, a multi-row UPDATE's) in memory, not in a temp file written
    // and truncated per statement: they only ever undo within an open transaction, never after a crash.
    this.#db.pragma('temp_store = MEMORY');
  }

  async query<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    const rows = await this.#mutex.run(() => this.#autocommit(() => this.#query<T>(sql, params)));
    if (rows.wrote) await this.#walSync?.durable();
    return rows.result;
  }

  async execute(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    const run = await this.#mutex.run(() => this.#autocommit(() => this.#execute(sql, params)));
    if (run.wrote) await this.#walSync?.durable();
    return run.result;
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const run = await this.#mutex.run(() => this.#transaction(fn));
    // Outside the mutex: the next transaction runs while this one's commit reaches the disk.
    if (run.wrote) await this.#walSync?.durable();
    return run.result;
  }

  /** One statement on its own (autocommit), reporting whether it wrote. */
  #autocommit<T>(fn: () => T): { result: T; wrote: boolean } {
    this.#wrote = false;
    const result = fn();
    return { result, wrote: this.#wrote };
  }

  #transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<{ result: T; wrote: boolean }> {
    return (async () => {
      guard(() => this.#db.exec('BEGIN IMMEDIATE'));
      this.#inTransaction = true;
      this.#wrote = false;
      const tx: Queryable = {
        query: async <R extends Row = Row>(sql: string, params: readonly SqlValue[] = []) =>
          this.#query<R>(sql, params),
        execute: async (sql, params = []) => this.#execute(sql, params),
      };
      try {
        const result = await fn(tx);
        guard(() => this.#db.exec('COMMIT'));
        return { result, wrote: this.#wrote };
      } catch (error) {
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
        throw error;
      } finally {
        this.#inTransaction = false;
      }
    })();
  }

  async migrate(migrations: readonly Migration[]): Promise<void> {
    await this.execute(MIGRATIONS_TABLE_SQL);
    for (const migration of migrations)
      await this.transaction((tx) => applyMigration(tx, migration, 'sqlite'));
  }

  async ping(): Promise<boolean> {
    try {
      await this.query('SELECT 1 AS one');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.#mutex.run(() => {
      if (!this.#db.open) return;
      this.#db.close();
      this.#release();
    });
    await this.#walSync?.close();
  }

  get inTransaction(): boolean {
    return this.#inTransaction;
  }

  #query<T>(sql: string, params: readonly SqlValue[]): T[] {
    return guard(() => (this.#write(this.#prepare(sql)).all(...params) as Row[]).map(narrowIntegers) as T[]);
  }

  #execute(sql: string, params: readonly SqlValue[]): { changes: number } {
    return guard(() => ({ changes: this.#write(this.#prepare(sql)).run(...params).changes }));
  }

  /** Notes a statement that may write, so its commit is synced before the caller hears of it. */
  #write(statement: BetterSqlite3.Statement): BetterSqlite3.Statement {
    if (!statement.readonly) this.#wrote = true;
    return statement;
  }

  #prepare(sql: string): BetterSqlite3.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      // Read integers exactly, then narrow (better-sqlite3 would otherwise round beyond 2^53 silently).
      if (statement.reader) statement.safeIntegers(true);
      if (this.#statements.size < 500) this.#statements.set(sql, statement);
    }
    return statement;
  }
}

// better-sqlite3 is synchronous: a second connection in this process waiting on the file lock would
// block the event loop while the first one's transaction awaits, a deadlock. So connections to one
// file share one mutex; the busy timeout only ever waits for other processes.
const fileMutexes = new Map<string, { mutex: Mutex; refs: number }>();

function acquireFileMutex(path: string): { mutex: Mutex; release: () => void } {
  if (path === ':memory:') return { mutex: new Mutex(), release: () => undefined };
  const key = realpathSync(path);
  const entry = fileMutexes.get(key) ?? { mutex: new Mutex(), refs: 0 };
  entry.refs += 1;
  fileMutexes.set(key, entry);
  return {
    mutex: entry.mutex,
    release: () => {
      entry.refs -= 1;
      if (entry.refs === 0) fileMutexes.delete(key);
    },
  };
}

/** BIGINT as a number when exact, as a bigint beyond 2^53: the same rule as the PostgreSQL backend. */
function narrowIntegers(row: Row): Row {
  for (const key in row) {
    const value = row[key];
    if (typeof value === 'bigint' && value >= MIN_SAFE && value <= MAX_SAFE) row[key] = Number(value);
  }
  return row;
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
      throw new UniqueViolationError((error as Error).message, { cause: error });
    throw new StorageError(`sqlite: ${(error as Error).message}`, { cause: error });
  }
}
