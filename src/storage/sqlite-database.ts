// SQLite backend on better-sqlite3. WAL journal; synchronous=FULL by default so that a committed
// write survives kill -9 and power loss. Calls are serialized by a mutex, so a transaction that
// awaits in the middle never interleaves with other statements on the one connection, nor with
// another connection to the same file in this process.
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

export interface SqliteOptions {
  /** File path, or ':memory:'. Parent folders are created. */
  readonly path: string;
  /** 'FULL' (default) fsyncs each commit; 'NORMAL' survives kill -9 but not power loss. */
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
  #inTransaction = false;

  constructor(options: SqliteOptions) {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    this.#db = new BetterSqlite3(options.path, { timeout: options.busyTimeoutMs ?? 5_000 });
    ({ mutex: this.#mutex, release: this.#release } = acquireFileMutex(options.path));
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    this.#db.pragma('foreign_keys = ON');
  }

  query<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.#mutex.run(() => this.#query<T>(sql, params));
  }

  execute(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    return this.#mutex.run(() => this.#execute(sql, params));
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.#mutex.run(async () => {
      guard(() => this.#db.exec('BEGIN IMMEDIATE'));
      this.#inTransaction = true;
      const tx: Queryable = {
        query: async <R extends Row = Row>(sql: string, params: readonly SqlValue[] = []) =>
          this.#query<R>(sql, params),
        execute: async (sql, params = []) => this.#execute(sql, params),
      };
      try {
        const result = await fn(tx);
        guard(() => this.#db.exec('COMMIT'));
        return result;
      } catch (error) {
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
        throw error;
      } finally {
        this.#inTransaction = false;
      }
    });
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
  }

  get inTransaction(): boolean {
    return this.#inTransaction;
  }

  #query<T>(sql: string, params: readonly SqlValue[]): T[] {
    return guard(() => (this.#prepare(sql).all(...params) as Row[]).map(narrowIntegers) as T[]);
  }

  #execute(sql: string, params: readonly SqlValue[]): { changes: number } {
    return guard(() => ({ changes: this.#prepare(sql).run(...params).changes }));
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
