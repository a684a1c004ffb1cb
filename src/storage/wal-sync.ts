// Group fsync of a SQLite WAL file, off the event loop. SQLite's synchronous=FULL in WAL mode is
// synchronous=NORMAL plus one fsync of the WAL after every commit, made on the event loop (~0.4 ms
// each here, blocking every request meanwhile). SqliteDatabase commits with NORMAL instead and
// awaits `durable()` before it resolves a write: one fdatasync in the thread pool covers every commit
// written before it started (the WAL is appended in order), so concurrent writers share one sync and
// none is acknowledged before its commit is on disk. Checkpoints keep SQLite's own syncs (NORMAL
// syncs the WAL before a checkpoint and the database after it).
//
// The WAL stays open between syncs (one fdatasync per sync, not open + fdatasync + close: three trips
// to the thread pool). That is safe because SQLite never replaces the WAL under an open connection:
// it rewrites the same file from its start after a checkpoint (truncating it at most), and unlinks it
// only when the last connection closes, which SqliteDatabase does after close() here.
import { closeSync, fdatasync, openSync } from 'node:fs';
import { StorageError } from './errors.js';

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class WalSync {
  readonly #walPath: string;
  readonly #sync: (path: string) => Promise<void>;
  #waiters: Waiter[] = [];
  #syncing: Promise<void> | undefined;
  /** The WAL, opened at the first sync that finds it. */
  #fd: number | undefined;

  /** `databasePath` is the database file; its WAL is `<databasePath>-wal`. `sync` is for tests. */
  constructor(databasePath: string, sync?: (path: string) => Promise<void>) {
    this.#walPath = `${databasePath}-wal`;
    this.#sync = sync ?? (() => this.#syncWal());
  }

  /** Closes the WAL once the sync in progress, if any, has ended (its fd must not be reused under it). */
  async close(): Promise<void> {
    while (this.#syncing !== undefined) await this.#syncing;
    this.#closeFd();
  }

  /** Resolves once every commit written before this call is on disk; rejects when the sync fails. */
  durable(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      this.#syncing ??= this.#drain();
    });
  }

  async #drain(): Promise<void> {
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
      this.#syncing = undefined;
    }
  }

  /** fdatasync of the WAL. A missing WAL was checkpointed and removed by SQLite, which synced it first. */
  #syncWal(): Promise<void> {
    if (this.#fd === undefined) {
      try {
        this.#fd = openSync(this.#walPath, 'r+');
      } catch (error) {
        if ((error as { code?: unknown }).code === 'ENOENT') return Promise.resolve();
        return Promise.reject(error);
      }
    }
    const fd = this.#fd;
    return new Promise<void>((resolve, reject) =>
      fdatasync(fd, (error) => {
        if (error === null) return resolve();
        this.#closeFd(); // the next sync opens the file afresh
        reject(error);
      }),
    );
  }

  #closeFd(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}
