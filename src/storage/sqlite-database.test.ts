// Goal: the SQLite backend honours the Database contract: transactions commit or roll back whole,
// unique violations are typed, migrations apply once.
import { afterEach, describe, expect, it } from 'vitest';
import { isUniqueViolationError } from './errors.js';
import { SqliteDatabase } from './sqlite-database.js';

describe('SqliteDatabase', () => {
  let db: SqliteDatabase;
  afterEach(async () => db.close());

  it('applies each migration once and keeps rows across calls', async () => {
    db = new SqliteDatabase({ path: ':memory:' });
    const migrations = [{ id: 't-001', sql: 'CREATE TABLE t (id TEXT PRIMARY KEY, n BIGINT NOT NULL)' }];
    await db.migrate(migrations);
    await db.migrate(migrations);
    await db.execute('INSERT INTO t (id, n) VALUES (?, ?)', ['a', 1]);
    expect(await db.query('SELECT id, n FROM t')).toEqual([{ id: 'a', n: 1 }]);
  });

  it('rolls back a transaction that throws and types unique violations', async () => {
    db = new SqliteDatabase({ path: ':memory:' });
    await db.migrate([{ id: 't-001', sql: 'CREATE TABLE t (id TEXT PRIMARY KEY)' }]);
    await expect(
      db.transaction(async (tx) => {
        await tx.execute('INSERT INTO t (id) VALUES (?)', ['a']);
        await tx.execute('INSERT INTO t (id) VALUES (?)', ['a']);
      }),
    ).rejects.toSatisfy(isUniqueViolationError);
    expect(await db.query('SELECT id FROM t')).toEqual([]);
  });

  it('does not interleave other statements into an open transaction', async () => {
    db = new SqliteDatabase({ path: ':memory:' });
    await db.migrate([{ id: 't-001', sql: 'CREATE TABLE t (id TEXT PRIMARY KEY)' }]);
    const outside = db.transaction(async (tx) => {
      await tx.execute('INSERT INTO t (id) VALUES (?)', ['in-tx']);
      await new Promise((resolve) => setImmediate(resolve));
      throw new Error('abort');
    });
    const concurrent = db.execute('INSERT INTO t (id) VALUES (?)', ['outside']);
    await expect(outside).rejects.toThrow('abort');
    await concurrent;
    expect(await db.query('SELECT id FROM t')).toEqual([{ id: 'outside' }]);
  });
});
