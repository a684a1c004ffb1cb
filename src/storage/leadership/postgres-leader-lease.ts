// The trading lease as a row in the database the journal writes to, so the write fence is checked
// inside the journal's own transaction. PostgreSQL locks the row (FOR UPDATE to change it, FOR
// SHARE to fence a write), so a takeover waits for a fenced write in flight and vice versa.
// SQLite serializes every transaction (BEGIN IMMEDIATE), which gives the same order.
import type { Database, Migration, Queryable } from '../database.js';
import type { LeaseStore } from './leader-lease.js';
import { LeaseRunner, type LeaseTimingOptions } from './lease-runner.js';

export const leaseMigrations: readonly Migration[] = [
  {
    id: 'leadership-001-trading-lease',
    sql: `CREATE TABLE IF NOT EXISTS trading_lease (
      name TEXT PRIMARY KEY,
      holder TEXT NOT NULL,
      token BIGINT NOT NULL,
      expires_at_ms BIGINT NOT NULL,
      acquired_at_ms BIGINT NOT NULL
    )`,
  },
];

export interface PostgresLeaderLeaseOptions extends LeaseTimingOptions {
  /** PostgreSQL in production; SQLite works too (single machine, several processes). Migrated with leaseMigrations. */
  readonly db: Database;
  /** The lease row; one per trading scope. Default 'trading'. */
  readonly name?: string;
}

export class PostgresLeaderLease extends LeaseRunner {
  static readonly migrations = leaseMigrations;

  constructor(options: PostgresLeaderLeaseOptions) {
    super(new SqlLeaseStore(options.db, options.name ?? 'trading', options.instanceId), options);
  }
}

/** Epoch ms come from each instance's clock: clocks must agree to well within ttlMs (NTP). */
export class SqlLeaseStore implements LeaseStore {
  readonly #db: Database;
  readonly #name: string;
  readonly #holder: string;
  readonly #lockForUpdate: string;
  readonly #lockForShare: string;

  constructor(db: Database, name: string, holder: string) {
    if (name.length === 0) throw new RangeError("lease name must not be empty, was ''");
    this.#db = db;
    this.#name = name;
    this.#holder = holder;
    this.#lockForUpdate = db.dialect === 'postgres' ? ' FOR UPDATE' : '';
    this.#lockForShare = db.dialect === 'postgres' ? ' FOR SHARE' : '';
  }

  tryAcquire(request: { nowMs: number; ttlMs: number }): Promise<number | undefined> {
    return this.#db.transaction(async (tx) => {
      await tx.execute(
        `INSERT INTO trading_lease (name, holder, token, expires_at_ms, acquired_at_ms)
         VALUES (?, '', 0, 0, 0) ON CONFLICT DO NOTHING`,
        [this.#name],
      );
      const rows = await tx.query(
        `SELECT holder, token, expires_at_ms FROM trading_lease WHERE name = ?${this.#lockForUpdate}`,
        [this.#name],
      );
      const row = rows[0];
      if (row === undefined) throw new Error(`lease row '${this.#name}' vanished inside its transaction`);
      if (Number(row.expires_at_ms) > request.nowMs) return undefined;
      const token = Number(row.token) + 1;
      await tx.execute(
        'UPDATE trading_lease SET holder = ?, token = ?, expires_at_ms = ?, acquired_at_ms = ? WHERE name = ?',
        [this.#holder, token, request.nowMs + request.ttlMs, request.nowMs, this.#name],
      );
      return token;
    });
  }

  async renew(request: { token: number; nowMs: number; ttlMs: number }): Promise<boolean> {
    const { changes } = await this.#db.execute(
      `UPDATE trading_lease SET expires_at_ms = ?
       WHERE name = ? AND holder = ? AND token = ? AND expires_at_ms > ?`,
      [request.nowMs + request.ttlMs, this.#name, this.#holder, request.token, request.nowMs],
    );
    return changes === 1;
  }

  async release(token: number): Promise<void> {
    await this.#db.execute(
      'UPDATE trading_lease SET expires_at_ms = 0 WHERE name = ? AND holder = ? AND token = ?',
      [this.#name, this.#holder, token],
    );
  }

  async holds(tx: Queryable, request: { token: number; nowMs: number }): Promise<boolean> {
    const rows = await tx.query(
      `SELECT token FROM trading_lease WHERE name = ? AND token = ? AND expires_at_ms > ?${this.#lockForShare}`,
      [this.#name, request.token, request.nowMs],
    );
    return rows.length === 1;
  }
}
