// Goal: PostgreSQL-specific failure handling: statement timeouts, a connection killed mid-transaction,
// schema isolation and option validation. Method: a real server on loopback (see test/support), each
// test in its own schema; the only real waits are the server's own timeouts (tens of ms).
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { isStorageError } from '../../src/storage/errors.js';
import { PostgresDatabase, parseInt8 } from '../../src/storage/postgres-database.js';
import { describeEachBackend, TEST_DATABASE_URL } from '../support/databases.js';

describeEachBackend('PostgresDatabase failures', (makeDb, backend) => {
  if (backend !== 'postgres') {
    it('is PostgreSQL-only; SQLite failure handling is covered in sqlite-crash.test.ts', () => {
      expect(backend).toBe('sqlite');
    });
    return;
  }
  const extra: PostgresDatabase[] = [];
  afterEach(async () => {
    await Promise.all(extra.splice(0).map((db) => db.close().catch(() => undefined)));
  });

  it('stops a statement at statementTimeoutMs with a StorageError', async () => {
    const db = new PostgresDatabase({ url: TEST_DATABASE_URL, statementTimeoutMs: 50, poolSize: 1 });
    extra.push(db);
    const error = await db.query('SELECT pg_sleep(5)').catch((caught: unknown) => caught);
    expect(isStorageError(error)).toBe(true);
    expect(String(error)).toContain('57014');
    expect(await db.ping()).toBe(true);
  });

  it('recovers when its connection is killed inside a transaction, and the rows roll back', async () => {
    const db = await makeDb();
    await db.migrate([{ id: 'kill-001', sql: 'CREATE TABLE t (id TEXT PRIMARY KEY)' }]);
    const error = await db
      .transaction(async (tx) => {
        await tx.execute("INSERT INTO t (id) VALUES ('lost')");
        await tx.query('SELECT pg_terminate_backend(pg_backend_pid())');
      })
      .catch((caught: unknown) => caught);
    expect(isStorageError(error)).toBe(true);
    expect(await db.query('SELECT id FROM t')).toEqual([]);
    await db.execute("INSERT INTO t (id) VALUES ('after')");
    expect(await db.query('SELECT id FROM t')).toEqual([{ id: 'after' }]);
  });

  it('returns every client to the pool after failed transactions', async () => {
    const db = await makeDb();
    const failures = Array.from({ length: 12 }, () =>
      db.transaction(async (tx) => {
        await tx.query('SELECT 1 AS one');
        throw new Error('rollback me');
      }),
    );
    await Promise.allSettled(failures);
    // poolSize is 4 in the test support: a leaked client per failure would hang here.
    expect(await Promise.all(Array.from({ length: 8 }, () => db.query('SELECT 1 AS one')))).toHaveLength(8);
  });

  it('isolates schemas: a table in one schema is invisible from another', async () => {
    const db = await makeDb();
    await db.execute('CREATE TABLE only_here (id TEXT)');
    const other = new PostgresDatabase({
      url: TEST_DATABASE_URL,
      schema: `keel_test_${randomUUID().slice(0, 8)}`,
    });
    extra.push(other);
    await expect(other.query('SELECT id FROM only_here')).rejects.toThrow('only_here');
    await other.execute(
      'DROP SCHEMA IF EXISTS ' + (await other.query<{ s: string }>('SELECT current_schema() AS s'))[0]?.s,
    );
  });
});

describe('PostgresDatabase options', () => {
  it('rejects bad options with the value in the message', () => {
    expect(() => new PostgresDatabase({ url: TEST_DATABASE_URL, poolSize: 0 })).toThrow('was 0');
    expect(() => new PostgresDatabase({ url: TEST_DATABASE_URL, schema: 'x; DROP TABLE y' })).toThrow(
      'was "x; DROP TABLE y"',
    );
  });

  it('parses BIGINT text as a number when safe and as an exact bigint beyond 2^53', () => {
    expect(parseInt8('9007199254740991')).toBe(9_007_199_254_740_991);
    expect(parseInt8('-42')).toBe(-42);
    expect(parseInt8('9007199254740993')).toBe(9_007_199_254_740_993n);
  });
});
