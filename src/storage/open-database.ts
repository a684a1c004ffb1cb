// Chooses the backend from configuration: SQLite in the data folder by default, PostgreSQL for
// postgres:// URLs. Error messages show URLs with the password removed.
import { join } from 'node:path';
import type { Database } from './database.js';
import { PostgresDatabase } from './postgres-database.js';
import { SqliteDatabase } from './sqlite-database.js';

export interface OpenDatabaseOptions {
  /** Unset, `sqlite:<path>` or a file path (relative to the working folder): SQLite. `postgres://` or `postgresql://`: PostgreSQL. */
  readonly databaseUrl?: string | undefined;
  /** Folder for `keel.db` when databaseUrl is unset. */
  readonly dataDir: string;
  /** SQLite fsync policy; see SqliteOptions. Default 'FULL'. */
  readonly sqliteSynchronous?: 'FULL' | 'NORMAL';
  /** PostgreSQL pool size. Default 10. */
  readonly poolSize?: number;
  /** PostgreSQL statement timeout, ms. Default 30000. */
  readonly statementTimeoutMs?: number;
}

export const SQLITE_FILE_NAME = 'keel.db';

export function openDatabase(options: OpenDatabaseOptions): Database {
  const url = options.databaseUrl?.trim();
  if (url === undefined || url === '') {
    return new SqliteDatabase({
      path: join(options.dataDir, SQLITE_FILE_NAME),
      synchronous: options.sqliteSynchronous,
    });
  }
  if (/^postgres(ql)?:\/\//i.test(url)) {
    return new PostgresDatabase({
      url,
      poolSize: options.poolSize,
      statementTimeoutMs: options.statementTimeoutMs,
    });
  }
  if (/^sqlite:/i.test(url)) {
    const path = url.replace(/^sqlite:(\/\/)?/i, '');
    if (path === '') throw new RangeError(`databaseUrl has no file path, was ${JSON.stringify(url)}`);
    return new SqliteDatabase({ path, synchronous: options.sqliteSynchronous });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new RangeError(
      `databaseUrl must be postgres://, postgresql://, sqlite: or a file path, was ${JSON.stringify(redactDatabaseUrl(url))}`,
    );
  }
  return new SqliteDatabase({ path: url, synchronous: options.sqliteSynchronous });
}

/** Removes credentials (`user:pass@` → `***@`) so a URL can appear in logs and errors. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?#]*@/i, '$1***@').replace(/(password=)[^&]*/gi, '$1***');
}
