// Goal: raises that arrive while a commit is under way share the next transaction, in arrival order,
// and one raise that fails does not fail the others. Method: an in-memory database whose transactions
// are counted.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Queryable } from '../../storage/database.js';
import { SqliteDatabase } from '../../storage/sqlite-database.js';
import { RaiseQueue } from './raise-queue.js';

describe('RaiseQueue', () => {
  let db: SqliteDatabase;
  let transactions: number;

  beforeEach(async () => {
    db = new SqliteDatabase({ path: ':memory:' });
    await db.execute('CREATE TABLE raised (name TEXT PRIMARY KEY, seen BIGINT NOT NULL)');
    transactions = 0;
    const transaction = db.transaction.bind(db);
    db.transaction = (fn) => {
      transactions++;
      return transaction(fn);
    };
  });
  afterEach(() => db.close());

  /** Counts a name; a second raise of it sees the first's row (same transaction or not). */
  const write = async (tx: Queryable, name: string): Promise<number> => {
    if (name === 'bad') throw new Error('refused');
    const [row] = await tx.query<{ seen: number }>('SELECT seen FROM raised WHERE name = ?', [name]);
    const seen = Number(row?.seen ?? 0) + 1;
    await tx.execute('INSERT OR REPLACE INTO raised (name, seen) VALUES (?, ?)', [name, seen]);
    return seen;
  };

  it('writes a burst in one transaction after the first, in arrival order', async () => {
    const queue = new RaiseQueue(db, write);
    const burst = ['a', 'b', 'a', 'c', 'a'].map((name) => queue.submit(name));
    expect(await Promise.all(burst)).toEqual([1, 1, 2, 1, 3]);
    // The first starts alone at once; the four arriving meanwhile share the next commit.
    expect(transactions).toBe(2);
  });

  it('fails only the raise that failed', async () => {
    const queue = new RaiseQueue(db, write);
    const results = await Promise.allSettled(['a', 'b', 'bad', 'c'].map((name) => queue.submit(name)));
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    const rows = await db.query<{ name: string }>('SELECT name FROM raised ORDER BY name');
    expect(rows.map((row) => row.name)).toEqual(['a', 'b', 'c']);
  });
});
