// Group fsync of a SQLite WAL file, off the event loop. SQLite's synchronous=FULL in WAL mode is
// synchronous=NORMAL plus one fsync of the WAL after every commit, made on the event loop (~0.4 ms
// each here, blocking every request meanwhile). SqliteDatabase commits with NORMAL instead and
// awaits `durable()` before it resolves a write: one fdatasync in the thread pool covers every commit
// written before it started (the WAL is appended in order), so concurrent writers share one sync and
// none is acknowledged before its commit is on disk. Checkpoints keep SQLite's own syncs (NORMAL
// syncs the WAL before a checkpoint and the database after it).
import { open } from 'node:fs/promises';
import { StorageError } from './errors.js';

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class WalSync {
  readonly #walPath: string;
  readonly #sync: (path: string) => Promise<void>;
  #waiters: Waiter[] = [];
  #syncing = false;

  /** `databasePath` is the database file; its WAL is `<databasePath>-wal`. `sync` is for tests. */
  constructor(databasePath: string, sync: (path: string) => Promise<void> = syncFile) {
    this.#walPath = `${databasePath}-wal`;
    this.#sync = sync;
  }

  /** Resolves once every commit written before this call is on disk; rejects when the sync fails. */
  durable(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      if (!this.#syncing) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#syncing = true;
    try {
      while (this.#waiters.length > 0) {
        // Commits that land while this sync runs wait for the next one: it may have started before them.
        const batch = this.#waiters;
        this.#waiters = [];
        try {
          await this.#sync(this.#walPath);
          for (const waiter of batch) waiter.resolve();
        } catch (error) {
          const failure = new StorageError(`sqlite: WAL sync failed: ${(error as Error).message}`, {
            cause: error,
          });
          for (const waiter of batch) waiter.reject(failure);
        }
      }
    } finally {
      this.#syncing = false;
    }
  }
}

/** fdatasync of `path`. A missing WAL was checkpointed and removed by SQLite, which synced it first. */
async function syncFile(path: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r+');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return;
    throw error;
  }
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
