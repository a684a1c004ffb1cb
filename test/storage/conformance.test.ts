// Goal: both storage backends honour the same Database contract, so components written once run on
// SQLite (single machine) and PostgreSQL (scale-out). Method: one suite, run per backend through
// describeEachBackend, on a fresh store per test; concurrency through parallel promises.
import { describe, expect, it } from 'vitest';
import type { Migration } from '../../src/storage/database.js';
import { isStorageError, isUniqueViolationError } from '../../src/storage/errors.js';
import { toNumberedPlaceholders } from '../../src/storage/postgres-database.js';
import { describeEachBackend } from '../support/databases.js';

const ACCOUNTS: Migration = {
  id: 'test-001-accounts',
  sql: `CREATE TABLE accounts (id TEXT PRIMARY KEY, balance TEXT NOT NULL, version BIGINT NOT NULL);
        CREATE TABLE counters (name TEXT PRIMARY KEY, n BIGINT NOT NULL)`,
};

describeEachBackend('storage conformance', (makeDb, backend) => {
  it('returns rows from query and RETURNING, and counts changes', async () => {
    const db = await makeDb();
    await db.migrate([ACCOUNTS]);
    const inserted = await db.query(
      'INSERT INTO accounts (id, balance, version) VALUES (?, ?, ?) RETURNING id, version',
      ['a', '10.5', 1],
    );
    expect(inserted).toEqual([{ id: 'a', version: 1 }]);
    await db.execute('INSERT INTO accounts (id, balance, version) VALUES (?, ?, ?)', ['b', '0', 1]);
    expect(await db.execute('UPDATE accounts SET version = version + 1', [])).toEqual({ changes: 2 });
    expect(await db.query('SELECT id, version FROM accounts ORDER BY id')).toEqual([
      { id: 'a', version: 2 },
      { id: 'b', version: 2 },
    ]);
    expect(await db.query('SELECT COUNT(*) AS n FROM accounts')).toEqual([{ n: 2 }]);
  });

  it('ignores a duplicate with ON CONFLICT DO NOTHING and reports zero changes', async () => {
    const db = await makeDb();
    await db.migrate([ACCOUNTS]);
    const sql = 'INSERT INTO accounts (id, balance, version) VALUES (?, ?, ?) ON CONFLICT DO NOTHING';
    expect(await db.execute(sql, ['a', '1', 1])).toEqual({ changes: 1 });
    expect(await db.execute(sql, ['a', '2', 2])).toEqual({ changes: 0 });
    expect(await db.query(`${sql} RETURNING id`, ['a', '3', 3])).toEqual([]);
    expect(await db.query('SELECT balance FROM accounts')).toEqual([{ balance: '1' }]);
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    const db = await makeDb();
    await db.migrate([ACCOUNTS]);
    const result = await db.transaction(async (tx) => {
      await tx.execute('INSERT INTO accounts (id, balance, version) VALUES (?, ?, ?)', ['a', '1', 1]);
      return (await tx.query('SELECT id FROM accounts')).length;
    });
    expect(result).toBe(1);
    await expect(
      db.transaction(async (tx) => {
        await tx.execute('INSERT INTO accounts (id, balance, version) VALUES (?, ?, ?)', ['b', '1', 1]);
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    expect(await db.query('SELECT id FROM accounts')).toEqual([{ id: 'a' }]);
  });

  it('types a unique violation, inside and outside a transaction, and rolls the transaction back', async () => {
    const db = await makeDb();
    await db.migrate([ACCOUNTS]);
    await db.execute('INSERT INTO accounts (id, balance, version) VALUES (?, ?, ?)', ['a', '1', 1]);
    await expect(
      db.execute('INSERT INTO accounts (id, balance, version) VALUES (?, ?, ?)', ['a', '1', 1]),
    ).rejects.toSatisfy(isUniqueViolationError);
    await expect(
      db.transaction(async (tx) => {
        await tx.execute('INSERT INTO accounts (id, balance, version) VALUES (?, ?, ?)', ['b', '1', 1]);
        await tx.execute('INSERT INTO accounts (id, balance, version) VALUES (?, ?, ?)', ['a', '1', 1]);
      }),
    ).rejects.toSatisfy(isUniqueViolationError);
    expect(await db.query('SELECT id FROM accounts ORDER BY id')).toEqual([{ id: 'a' }]);
    await expect(db.query('SELECT nope FROM accounts')).rejects.toSatisfy(isStorageError);
  });

  it('applies migrations once, also when two connections migrate at the same time', async () => {
    const first = await makeDb();
    const second = await makeDb();
    const counted: Migration = {
      id: 'test-002-seed',
      sql: "INSERT INTO counters (name, n) VALUES ('seed', 1)",
    };
    await Promise.all([first.migrate([ACCOUNTS, counted]), second.migrate([ACCOUNTS, counted])]);
    await first.migrate([ACCOUNTS, counted]);
    expect(await first.query('SELECT name, n FROM counters')).toEqual([{ name: 'seed', n: 1 }]);
    expect(await second.query('SELECT id FROM schema_migrations ORDER BY id')).toEqual([
      { id: 'test-001-accounts' },
      { id: 'test-002-seed' },
    ]);
  });

  it('keeps every increment of concurrent read-modify-write transactions', async () => {
    const db = await makeDb();
    const other = await makeDb();
    await db.migrate([ACCOUNTS]);
    await db.execute("INSERT INTO counters (name, n) VALUES ('c', 0)");
    const increment = (target: typeof db) =>
      target.transaction(async (tx) => {
        await tx.execute("UPDATE counters SET n = n + 1 WHERE name = 'c'");
        const [row] = await tx.query<{ n: number }>("SELECT n FROM counters WHERE name = 'c'");
        await tx.execute("INSERT INTO accounts (id, balance, version) VALUES (?, '0', ?)", [
          `v${row?.n}`,
          row?.n ?? -1,
        ]);
      });
    await Promise.all(Array.from({ length: 20 }, (_, i) => increment(i % 2 === 0 ? db : other)));
    expect(await db.query('SELECT n FROM counters')).toEqual([{ n: 20 }]);
    // Each transaction saw its own increment: 20 distinct versions 1..20.
    const versions = await db.query<{ version: number }>('SELECT version FROM accounts ORDER BY version');
    expect(versions.map((row) => row.version)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('lets exactly one of two concurrent inserts of the same key win', async () => {
    const db = await makeDb();
    const other = await makeDb();
    await db.migrate([ACCOUNTS]);
    const insert = (target: typeof db) =>
      target.transaction((tx) =>
        tx.execute("INSERT INTO accounts (id, balance, version) VALUES ('k', '1', 1)"),
      );
    const results = await Promise.allSettled([insert(db), insert(other)]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((result) => result.status === 'rejected');
    expect(isUniqueViolationError((rejected as PromiseRejectedResult).reason)).toBe(true);
  });

  it('round-trips BIGINT epoch ms and 2^53-1 as numbers, and larger values exactly as bigint', async () => {
    const db = await makeDb();
    await db.migrate([ACCOUNTS]);
    const values = [0, -1, 1_767_225_600_000, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
    for (const [index, n] of values.entries())
      await db.execute('INSERT INTO counters (name, n) VALUES (?, ?)', [`n${index}`, n]);
    await db.execute('INSERT INTO counters (name, n) VALUES (?, ?)', ['big', 9_007_199_254_740_993n]);
    const rows = await db.query<{ n: number | bigint }>('SELECT n FROM counters ORDER BY name');
    expect(rows.map((row) => row.n)).toEqual([9_007_199_254_740_993n, ...values]);
  });

  it('keeps TEXT decimals exact, digit for digit', async () => {
    const db = await makeDb();
    await db.migrate([ACCOUNTS]);
    const balances = [
      '0.1',
      '123456789012345678901234567890.000000000000000001',
      '0E-10',
      '-0.00000001',
      '1e+21',
    ];
    for (const [index, balance] of balances.entries())
      await db.execute('INSERT INTO accounts (id, balance, version) VALUES (?, ?, 1)', [
        `a${index}`,
        balance,
      ]);
    const rows = await db.query<{ balance: string }>('SELECT balance FROM accounts ORDER BY id');
    expect(rows.map((row) => row.balance)).toEqual(balances);
  });

  it("leaves '?' inside string literals alone while binding the real placeholders", async () => {
    const db = await makeDb();
    await db.migrate([ACCOUNTS]);
    await db.execute("INSERT INTO accounts (id, balance, version) VALUES ('what?', ?, ?)", ['1', 7]);
    const rows = await db.query(
      "SELECT id, 'it''s ?' AS note, version FROM accounts WHERE id = ? AND version = ? -- trailing ?\n",
      ['what?', 7],
    );
    expect(rows).toEqual([{ id: 'what?', note: "it's ?", version: 7 }]);
  });

  it(`reports ${backend} as its dialect and answers ping until closed`, async () => {
    const db = await makeDb();
    expect(db.dialect).toBe(backend);
    expect(await db.ping()).toBe(true);
    await db.close();
    expect(await db.ping()).toBe(false);
  });
});

describe('toNumberedPlaceholders', () => {
  it('numbers placeholders outside literals, identifiers and comments', () => {
    const sql = `SELECT '?', "a?b", ? /* ? */ FROM t WHERE x = ? AND y = 'don''t ?' -- ?\nAND z = ?`;
    expect(toNumberedPlaceholders(sql)).toEqual({
      text: `SELECT '?', "a?b", $1 /* ? */ FROM t WHERE x = $2 AND y = 'don''t ?' -- ?\nAND z = $3`,
      count: 3,
    });
  });
});
