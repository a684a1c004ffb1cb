// Goal: a write is acknowledged only after a WAL sync that started after its commit; writers waiting
// together share one sync; a failed sync fails every writer it covered.
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteDatabase } from './sqlite-database.js';
import { WalSync } from './wal-sync.js';

/** A sync whose completions the test controls. */
function controlledSync() {
  const calls: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const sync = () => new Promise<void>((resolve, reject) => calls.push({ resolve, reject }));
  return { calls, sync };
}

const settled = async (promise: Promise<unknown>): Promise<string> => {
  let state = 'pending';
  promise.then(
    () => {
      state = 'resolved';
    },
    () => {
      state = 'rejected';
    },
  );
  await new Promise((resolve) => setImmediate(resolve));
  return state;
};

describe('WalSync', () => {
  it('resolves a waiter only after a sync that began after it, and groups later waiters', async () => {
    const { calls, sync } = controlledSync();
    const wal = new WalSync('/unused.db', sync);
    const first = wal.durable();
    expect(calls).toHaveLength(1);
    const second = wal.durable();
    const third = wal.durable();
    expect(calls).toHaveLength(1); // the running sync may have started before their commits
    calls[0]?.resolve();
    expect(await settled(first)).toBe('resolved');
    expect(await settled(second)).toBe('pending');
    expect(calls).toHaveLength(2); // one sync for both
    calls[1]?.resolve();
    expect(await settled(second)).toBe('resolved');
    expect(await settled(third)).toBe('resolved');
  });

  it('rejects every waiter of a failed sync, and syncs again for the next', async () => {
    const { calls, sync } = controlledSync();
    const wal = new WalSync('/unused.db', sync);
    const first = wal.durable();
    calls[0]?.reject(new Error('EIO'));
    await expect(first).rejects.toThrow('WAL sync failed: EIO');
    const next = wal.durable();
    expect(calls).toHaveLength(2);
    calls[1]?.resolve();
    await expect(next).resolves.toBeUndefined();
  });

  describe('with SqliteDatabase (synchronous FULL)', () => {
    let dir: string | undefined;
    afterEach(() => {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    });

    it('keeps one WAL descriptor across syncs and checkpoints, and closes it with the database', async () => {
      dir = mkdtempSync(join(tmpdir(), 'keel-wal-sync-'));
      const path = join(dir, 'keel.db');
      // Descriptors of this process open on the WAL (SQLite holds one of its own).
      const walDescriptors = () =>
        readdirSync('/proc/self/fd').filter((fd) => {
          try {
            return readlinkSync(`/proc/self/fd/${fd}`) === `${path}-wal`;
          } catch {
            return false; // closed since the listing
          }
        }).length;
      const db = new SqliteDatabase({ path, synchronous: 'FULL' });
      await db.migrate([{ id: 't-001', sql: 'CREATE TABLE t (id TEXT PRIMARY KEY)' }]);
      await db.execute('INSERT INTO t (id) VALUES (?)', ['a']);
      const open = walDescriptors();
      expect(open).toBe(2); // SQLite's own and the one the syncs keep
      for (let index = 0; index < 10; index++) {
        await db.execute('INSERT INTO t (id) VALUES (?)', [`row-${index}`]);
        await db.query('PRAGMA wal_checkpoint(TRUNCATE)');
      }
      expect(walDescriptors()).toBe(open); // none opened per sync, none leaked
      await db.close();
      expect(walDescriptors()).toBe(0);
      const reopened = new SqliteDatabase({ path, synchronous: 'FULL' });
      expect(await reopened.query('SELECT COUNT(*) AS count FROM t')).toEqual([{ count: 11 }]);
      await reopened.close();
    });

    it('commits with NORMAL plus its own sync, and keeps every acknowledged row', async () => {
      dir = mkdtempSync(join(tmpdir(), 'keel-wal-sync-'));
      const path = join(dir, 'keel.db');
      const db = new SqliteDatabase({ path, synchronous: 'FULL' });
      await db.migrate([{ id: 't-001', sql: 'CREATE TABLE t (id TEXT PRIMARY KEY)' }]);
      expect(await db.query('PRAGMA synchronous')).toEqual([{ synchronous: 1 }]);
      await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          db.transaction((tx) => tx.execute('INSERT INTO t (id) VALUES (?)', [`row-${index}`])),
        ),
      );
      await db.execute('INSERT INTO t (id) VALUES (?)', ['alone']);
      await db.close();
      const reopened = new SqliteDatabase({ path, synchronous: 'FULL' });
      expect(await reopened.query('SELECT COUNT(*) AS count FROM t')).toEqual([{ count: 21 }]);
      await reopened.close();
    });
  });
});
