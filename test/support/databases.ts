// Runs one test suite against both storage backends.
//
//   describeEachBackend('journal', (makeDb) => {
//     it('keeps rows', async () => { const db = await makeDb(); await db.migrate(m); ... });
//   });
//
// - SQLite always runs, on a file in a fresh temp folder under os.tmpdir().
// - PostgreSQL runs in a fresh random schema (dropped after each test) at KEEL_TEST_DATABASE_URL,
//   default postgres://postgres@127.0.0.1:5432/test. When the server is unreachable the PostgreSQL
//   suite is replaced by one test that warns with the reason, or FAILS when CI === 'true'.
// - Each test gets a fresh, empty store. Calling makeDb() again in the same test opens another
//   connection to that same store: a second "process" (for crash, reopen and multi-instance tests).
//   Every database opened this way is closed after the test; closing one yourself first is fine.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, it } from 'vitest';
import type { Database } from '../../src/storage/database.js';
import { redactDatabaseUrl } from '../../src/storage/open-database.js';
import { PostgresDatabase } from '../../src/storage/postgres-database.js';
import { SqliteDatabase } from '../../src/storage/sqlite-database.js';

export type Backend = 'sqlite' | 'postgres';
export type MakeDb = () => Promise<Database>;

export const TEST_DATABASE_URL =
  process.env['KEEL_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Defines `${name} [sqlite]` and `${name} [postgres]` suites, each given its own makeDb. */
export function describeEachBackend(name: string, fn: (makeDb: MakeDb, backend: Backend) => void): void {
  describe(`${name} [sqlite]`, () => {
    fn(sqliteStores(), 'sqlite');
  });
  describe(`${name} [postgres]`, async () => {
    const unreachable = await postgresUnreachableReason();
    if (unreachable === undefined) {
      fn(postgresStores(), 'postgres');
      return;
    }
    const reason = `PostgreSQL suite "${name}" not run: ${unreachable}`;
    it(`reports why it did not run: ${unreachable}`, () => {
      if (process.env['CI'] === 'true') throw new Error(`${reason} (CI=true requires PostgreSQL)`);
      console.warn(`SKIPPED ${reason}`);
    });
  });
}

function sqliteStores(): MakeDb {
  let folder: string | undefined;
  const opened: Database[] = [];
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'keel-test-'));
  });
  afterEach(async () => {
    await closeAll(opened);
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
    folder = undefined;
  });
  return async () => {
    if (folder === undefined) throw new Error('makeDb() must be called inside a test');
    const db = new SqliteDatabase({ path: join(folder, 'keel.db'), synchronous: 'NORMAL' });
    opened.push(db);
    return db;
  };
}

function postgresStores(): MakeDb {
  let schema: string | undefined;
  const opened: Database[] = [];
  beforeEach(() => {
    schema = `keel_test_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
  });
  afterEach(async () => {
    await closeAll(opened);
    if (schema !== undefined) await dropSchema(schema);
    schema = undefined;
  });
  return async () => {
    if (schema === undefined) throw new Error('makeDb() must be called inside a test');
    const db = new PostgresDatabase({
      url: TEST_DATABASE_URL,
      schema,
      poolSize: 4,
      statementTimeoutMs: 20_000,
    });
    opened.push(db);
    return db;
  };
}

/** Idempotent close: a test may already have closed a database to simulate a restart. */
async function closeAll(opened: Database[]): Promise<void> {
  const dbs = opened.splice(0);
  await Promise.all(dbs.map((db) => db.close().catch(() => undefined)));
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

let probe: Promise<string | undefined> | undefined;

/** Undefined when a trivial query answers within 3 s; otherwise why not (URL without password). */
function postgresUnreachableReason(): Promise<string | undefined> {
  probe ??= (async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return undefined;
    } catch (error) {
      return `${redactDatabaseUrl(TEST_DATABASE_URL)} unreachable: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return probe;
}
