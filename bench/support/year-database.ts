// Builds a year-sized SQLite database for the bench: 1 M finished signals, each with a FILLED order,
// one fill and 10 audit events (10 M), and 10 000 resolved alerts, spread over the past 365 days.
// The schema comes from a real KeelApp start on the folder (its migrations), the rows from batched
// prepared inserts in transactions. The result is kept in the temp folder and reused by later runs.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SQLITE_FILE_NAME } from '../../src/storage/open-database.js';

export const YEAR_SIGNAL_COUNT = 1_000_000;
export const YEAR_EVENTS_PER_ORDER = 10;
export const YEAR_ALERT_COUNT = 10_000;
const ROWS_PER_TRANSACTION = 10_000;
const YEAR_MS = 365 * 86_400_000;
/** Bump when the rows or the schema change, so an old cached database is rebuilt. */
const LAYOUT_VERSION = 1;

export interface YearDatabase {
  readonly dataDir: string;
  /** True when this call generated it (false: reused from an earlier run). */
  readonly generated: boolean;
  readonly generateMs: number;
}

/**
 * Returns a data folder holding the year database. `migrate(dataDir)` must create the schema there
 * (start and stop a KeelApp) and return a stored signal's payload and raw body to copy.
 */
export async function yearDatabase(
  migrate: (dataDir: string) => Promise<{ payload: string; raw: string }>,
): Promise<YearDatabase> {
  const dataDir = join(tmpdir(), `keel-bench-year-v${LAYOUT_VERSION}`);
  const marker = join(dataDir, 'complete');
  if (existsSync(marker)) return { dataDir, generated: false, generateMs: 0 };
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const startedAtMs = Date.now();
  const template = await migrate(dataDir);
  const db = new BetterSqlite3(join(dataDir, SQLITE_FILE_NAME));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144');
    fill(db, template, Date.now());
    // The rows bypassed the journal: recount its per-state order counts.
    db.exec(`DELETE FROM order_state_counts;
      INSERT INTO order_state_counts (state, order_count) SELECT state, COUNT(*) FROM orders GROUP BY state`);
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  writeFileSync(marker, new Date().toISOString());
  return { dataDir, generated: true, generateMs: Date.now() - startedAtMs };
}

function fill(db: BetterSqlite3.Database, template: { payload: string; raw: string }, nowMs: number): void {
  const signal = db.prepare(
    `INSERT INTO signals (id, dedup_key, symbol, side, payload, raw, source_ip, state, attempts, last_error,
       received_at_ms, updated_at_ms) VALUES (?, ?, 'BTCIRT', 'buy', ?, ?, '127.0.0.1', 'executed', 1, NULL, ?, ?)`,
  );
  const order = db.prepare(
    `INSERT INTO orders (id, signal_id, client_order_id, exchange_order_id, base, quote, side, execution, amount,
       price, state, filled_amount, average_price, fee, submit_count, reject_code, last_error, created_at_ms,
       updated_at_ms, lifetime_ms, decision_price)
     VALUES (?, ?, ?, ?, 'btc', 'rls', 'buy', 'market', '0.0001', NULL, 'FILLED', '0.0001', '6000000000', '0.0000001',
       1, NULL, NULL, ?, ?, NULL, '6000000000')`,
  );
  const fillRow = db.prepare(
    `INSERT INTO order_fills (trade_id, order_id, amount, price, total, fee, fee_currency, at_ms)
     VALUES (?, ?, '0.0001', '6000000000', '600000', '0.0000001', 'btc', ?)`,
  );
  const event = db.prepare(
    `INSERT INTO order_events (order_id, signal_id, from_state, to_state, cause, raw, fencing_token, at_ms)
     VALUES (?, ?, ?, ?, ?, ?, NULL, ?)`,
  );
  const stepMs = Math.floor(YEAR_MS / YEAR_SIGNAL_COUNT);
  const insertRange = db.transaction((from: number, to: number) => {
    for (let index = from; index < to; index++) {
      const atMs = nowMs - YEAR_MS + index * stepMs;
      const signalId = ulid(atMs, index);
      const orderId = `ord-${index}`;
      signal.run(signalId, `bench-year-${index}`, template.payload, template.raw, atMs, atMs + 500);
      order.run(orderId, signalId, `keel-${index}`, String(100_000_000 + index), atMs, atMs + 900);
      fillRow.run(`trade-${index}`, orderId, atMs + 800);
      for (let step = 0; step < YEAR_EVENTS_PER_ORDER; step++) {
        const [from, to] = EVENT_STATES[step] ?? ['PARTIALLY_FILLED', 'PARTIALLY_FILLED'];
        event.run(orderId, signalId, from, to, EVENT_CAUSE, EVENT_RAW, atMs + step * 90);
      }
    }
  });
  for (let from = 0; from < YEAR_SIGNAL_COUNT; from += ROWS_PER_TRANSACTION)
    insertRange(from, Math.min(YEAR_SIGNAL_COUNT, from + ROWS_PER_TRANSACTION));
  const alert = db.prepare(
    `INSERT INTO alerts (id, dedup_key, severity, source, group_name, title, details, state, first_seen_at_ms,
       last_seen_at_ms, repeat_count, acknowledged_by, acknowledged_at_ms, resolved_by, resolved_at_ms)
     VALUES (?, ?, 'warning', 'exchange', 'exchange', 'orders circuit open: exchange failing', '{}', 'resolved',
       ?, ?, 1, NULL, NULL, 'keel', ?)`,
  );
  db.transaction(() => {
    for (let index = 0; index < YEAR_ALERT_COUNT; index++) {
      const atMs = nowMs - YEAR_MS + index * Math.floor(YEAR_MS / YEAR_ALERT_COUNT);
      alert.run(`alert-year-${index}`, `exchange.breaker.${index % 7}`, atMs, atMs, atMs + 60_000);
    }
  })();
}

const EVENT_CAUSE = 'verification: status by id';
const EVENT_RAW = JSON.stringify({
  status: 'ok',
  order: { id: 100_000_000, status: 'Active', matchedAmount: '0' },
});
const EVENT_STATES: readonly (readonly [string | null, string])[] = [
  [null, 'PREPARED'],
  ['PREPARED', 'SUBMITTING'],
  ['SUBMITTING', 'ACCEPTED'],
  ['ACCEPTED', 'ACCEPTED'],
  ['ACCEPTED', 'ACCEPTED'],
  ['ACCEPTED', 'PARTIALLY_FILLED'],
  ['PARTIALLY_FILLED', 'PARTIALLY_FILLED'],
  ['PARTIALLY_FILLED', 'PARTIALLY_FILLED'],
  ['PARTIALLY_FILLED', 'PARTIALLY_FILLED'],
  ['PARTIALLY_FILLED', 'FILLED'],
];

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A signal id in the store's ULID layout: time, then a counter in place of the random part. */
function ulid(atMs: number, counter: number): string {
  return encode(BigInt(atMs), 10) + encode(BigInt(counter), 16);
}

function encode(value: bigint, length: number): string {
  let text = '';
  let rest = value;
  for (let index = 0; index < length; index++) {
    text = (CROCKFORD[Number(rest % 32n)] ?? '0') + text;
    rest /= 32n;
  }
  return text;
}
