// PostgreSQL backend on a pg Pool. Statements use the common `?` dialect, converted to `$n`.
// A transaction holds one pooled client from BEGIN to COMMIT/ROLLBACK. Migrations take a
// transaction-level advisory lock per schema, so instances starting together apply each one once.
import pg from 'pg';
import { assert } from '../core/assert.js';
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

export interface PostgresOptions {
  /** postgres:// or postgresql:// URL. Never logged; use redactDatabaseUrl to show it. */
  readonly url: string;
  /** Connections in the pool. Default 10. */
  readonly poolSize?: number;
  /** search_path for every connection; created when missing. Lowercase identifier. Default: the server's. */
  readonly schema?: string;
  /** Server-side limit per statement, ms. Default 30000. */
  readonly statementTimeoutMs?: number;
  /** How long to wait for a free or new connection, ms. Default 10000. */
  readonly connectTimeoutMs?: number;
}

const DEFAULTS = { poolSize: 10, statementTimeoutMs: 30_000, connectTimeoutMs: 10_000 } as const;
const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;
const PLACEHOLDER_CACHE_MAX = 1_000;
const INT8_OID = 20;

export class PostgresDatabase implements Database {
  readonly dialect = 'postgres' as const;
  readonly #pool: pg.Pool;
  readonly #schema: string | undefined;
  readonly #converted = new Map<string, string>();
  #ready: Promise<void> | undefined;

  constructor(options: PostgresOptions) {
    const poolSize = options.poolSize ?? DEFAULTS.poolSize;
    const statementTimeoutMs = options.statementTimeoutMs ?? DEFAULTS.statementTimeoutMs;
    const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs;
    if (!Number.isInteger(poolSize) || poolSize < 1)
      throw new RangeError(`poolSize must be an integer >= 1, was ${poolSize}`);
    if (!Number.isInteger(statementTimeoutMs) || statementTimeoutMs < 1)
      throw new RangeError(`statementTimeoutMs must be an integer >= 1, was ${statementTimeoutMs}`);
    if (options.schema !== undefined && !SCHEMA_PATTERN.test(options.schema))
      throw new RangeError(`schema must match ${SCHEMA_PATTERN}, was ${JSON.stringify(options.schema)}`);
    this.#schema = options.schema;
    this.#pool = new pg.Pool({
      connectionString: options.url,
      max: poolSize,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: connectTimeoutMs,
      statement_timeout: statementTimeoutMs,
      options: options.schema === undefined ? undefined : `-c search_path=${options.schema}`,
      types: { getTypeParser: getTypeParser as pg.CustomTypesConfig['getTypeParser'] },
    });
    // An idle client losing its connection must not crash the process; the next checkout reconnects.
    this.#pool.on('error', () => undefined);
  }

  async query<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    await this.#ensureReady();
    return runQuery<T>(this.#pool, this.#convert(sql), params);
  }

  async execute(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    await this.#ensureReady();
    return runExecute(this.#pool, this.#convert(sql), params);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    await this.#ensureReady();
    const client = await guard(() => this.#pool.connect());
    let open = true;
    const tx: Queryable = {
      query: <R extends Row = Row>(sql: string, params: readonly SqlValue[] = []) => {
        assert(open, 'transaction used after it ended');
        return runQuery<R>(client, this.#convert(sql), params);
      },
      execute: (sql, params = []) => {
        assert(open, 'transaction used after it ended');
        return runExecute(client, this.#convert(sql), params);
      },
    };
    let releaseError: Error | undefined;
    // A checked-out client whose connection drops emits 'error'; unheard, that would crash the process.
    const onConnectionError = (error: Error) => {
      releaseError = error;
    };
    client.on('error', onConnectionError);
    try {
      await guard(() => client.query('BEGIN'));
      const result = await fn(tx);
      await guard(() => client.query('COMMIT'));
      return result;
    } catch (error) {
      releaseError = (await rollback(client)) ?? releaseError;
      throw error;
    } finally {
      open = false;
      client.off('error', onConnectionError);
      // A client whose rollback failed is in an unknown state: destroy it rather than reuse it.
      client.release(releaseError);
    }
  }

  async migrate(migrations: readonly Migration[]): Promise<void> {
    for (const migration of migrations) {
      await this.transaction(async (tx) => {
        // Two instances migrating at once take turns.
        await tx.query("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.schema_migrations'))");
        await tx.execute(MIGRATIONS_TABLE_SQL);
        await applyMigration(tx, migration, 'postgres');
      });
    }
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
    await this.#pool.end();
  }

  /** Creates the configured schema once (the first statement waits for it). */
  #ensureReady(): Promise<void> {
    if (this.#schema === undefined) return Promise.resolve();
    if (this.#ready === undefined) {
      const schema = this.#schema;
      this.#ready = runExecute(this.#pool, `CREATE SCHEMA IF NOT EXISTS ${schema}`, []).then(
        () => undefined,
        (error: unknown) => {
          this.#ready = undefined; // retry on the next call, e.g. after the server comes back
          // Two instances creating the schema at once: the loser sees a duplicate, which is fine.
          if (error instanceof UniqueViolationError) return;
          throw error;
        },
      );
    }
    return this.#ready;
  }

  #convert(sql: string): string {
    let text = this.#converted.get(sql);
    if (text === undefined) {
      text = toNumberedPlaceholders(sql).text;
      if (this.#converted.size < PLACEHOLDER_CACHE_MAX) this.#converted.set(sql, text);
    }
    return text;
  }
}

/** BIGINT as a JS number when exact, as a bigint beyond 2^53 (never a silently rounded number). */
export function parseInt8(text: string): number | bigint {
  const asNumber = Number(text);
  return Number.isSafeInteger(asNumber) ? asNumber : BigInt(text);
}

function getTypeParser(oid: number, format?: 'text' | 'binary'): unknown {
  if (oid === INT8_OID && format !== 'binary') return parseInt8;
  return pg.types.getTypeParser(oid, format ?? 'text');
}

async function runQuery<T>(
  target: pg.Pool | pg.PoolClient,
  text: string,
  params: readonly SqlValue[],
): Promise<T[]> {
  const result = await guard(() => target.query(text, params as SqlValue[]));
  return result.rows as T[];
}

async function runExecute(
  target: pg.Pool | pg.PoolClient,
  text: string,
  params: readonly SqlValue[],
): Promise<{ changes: number }> {
  const result = await guard(() => target.query(text, params as SqlValue[]));
  return { changes: result.rowCount ?? 0 };
}

async function rollback(client: pg.PoolClient): Promise<Error | undefined> {
  try {
    await client.query('ROLLBACK');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof UniqueViolationError || error instanceof StorageError) throw error;
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    if (code === '23505') throw new UniqueViolationError(message, { cause: error });
    // 42P06: duplicate schema, a creation race between instances.
    if (code === '42P06') throw new UniqueViolationError(message, { cause: error });
    throw new StorageError(`postgres${typeof code === 'string' ? ` ${code}` : ''}: ${message}`, {
      cause: error,
    });
  }
}

/**
 * Converts `?` to `$1..$n` outside '…' literals, "…" identifiers, -- and block comments.
 * PostgreSQL's JSON operators `?`, `?|`, `?&` cannot be written in this dialect (use jsonb_exists).
 */
export function toNumberedPlaceholders(sql: string): { text: string; count: number } {
  let text = '';
  let count = 0;
  let index = 0;
  while (index < sql.length) {
    const char = sql[index];
    const end = skipQuotedOrComment(sql, index);
    if (end > index) {
      text += sql.slice(index, end);
      index = end;
    } else if (char === '?') {
      count += 1;
      text += `$${count}`;
      index += 1;
    } else {
      text += char;
      index += 1;
    }
  }
  return { text, count };
}

/** Index just past the literal or comment starting at `start`, or `start` when none starts there. */
function skipQuotedOrComment(sql: string, start: number): number {
  const char = sql[start];
  const next = sql[start + 1];
  if (char === "'" || char === '"') return skipQuoted(sql, start, char);
  if (char === '-' && next === '-') {
    const newline = sql.indexOf('\n', start);
    return newline === -1 ? sql.length : newline;
  }
  if (char === '/' && next === '*') {
    const close = sql.indexOf('*/', start + 2);
    return close === -1 ? sql.length : close + 2;
  }
  return start;
}

/** A doubled quote inside the literal is an escaped quote, not the end. */
function skipQuoted(sql: string, start: number, quote: string): number {
  let index = start + 1;
  while (index < sql.length) {
    if (sql[index] === quote) {
      if (sql[index + 1] === quote) index += 2;
      else return index + 1;
    } else index += 1;
  }
  return sql.length;
}
