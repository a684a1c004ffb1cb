// Retention on both backends: rows past their horizon are archived to gzip JSON lines and then deleted;
// what an unresolved order, a waiting signal, an open alert or a breach needs stays; the ledger is untouched.
// Method: the real migrations, rows inserted at chosen ages on a fake clock, one or more runs, then the
// tables and the archive files are read back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { journalMigrations } from '../../src/exchange/order-journal/journal-migrations.js';
import { silentLogger } from '../../src/logging/logger.js';
import { SIGNAL_STORE_MIGRATIONS } from '../../src/market-data/signal-store.js';
import { alertMigrations } from '../../src/monitoring/alert-system/alert-store.js';
import { Ledger } from '../../src/position/ledger.js';
import { RECONCILIATION_MIGRATIONS } from '../../src/position/reconciliation-store.js';
import { ArchiveWriter, readArchive } from '../../src/retention/archive-writer.js';
import { type RetentionReport, RetentionRunner } from '../../src/retention/retention-runner.js';
import type { Database } from '../../src/storage/database.js';
import { describeEachBackend } from '../support/databases.js';

const DAY_MS = 86_400_000;
const KEEP_DAYS = 30;

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'keel-retention-'));
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describeEachBackend('retention', (makeDb) => {
  it('archives then deletes rows past the horizon and keeps what open work needs', async () => {
    const { db, clock, ledger } = await setUp(await makeDb());
    const sumsBefore = ledger.accountSumsMinor();
    const report = await runner(db, clock).runOnce();

    expect(report.deleted).toEqual({
      order_events: 2,
      signals: 1,
      alerts: 1,
      alert_deliveries: 1,
      reconciliation_runs: 1,
    });
    expect(report.truncated).toBe(false);
    expect(await keys(db, 'SELECT order_id AS k FROM order_events')).toEqual([
      'o-open',
      'o-open',
      'o-recent',
      'o-recent',
    ]);
    expect(await keys(db, 'SELECT id AS k FROM signals')).toEqual(['s-open', 's-quarantined', 's-recent']);
    expect(await keys(db, 'SELECT id AS k FROM alerts')).toEqual(['a-firing']);
    expect(await keys(db, 'SELECT id AS k FROM reconciliation_runs')).toEqual(['recon-2', 'recon-3']);
    expect(await keys(db, 'SELECT run_id AS k FROM reconciliation_items')).toEqual(['recon-2', 'recon-3']);
    // Orders themselves stay (they are the identity of every trade), and so does every posting.
    expect(await keys(db, 'SELECT id AS k FROM orders')).toEqual(['o-done', 'o-open', 'o-recent']);
    const reopened = await Ledger.open({ database: db, clock });
    expect(reopened.accountSumsMinor()).toEqual(sumsBefore);
    expect(reopened.lastSeq).toBe(ledger.lastSeq);

    const archived = archivedRows(report);
    expect(archived.get('order_events')?.map((row) => row.order_id)).toEqual(['o-done', 'o-done']);
    expect(archived.get('signals')?.map((row) => row.id)).toEqual(['s-done']);
    expect(archived.get('alerts')?.map((row) => row.id)).toEqual(['a-resolved']);
    const [run] = archived.get('reconciliation_runs') ?? [];
    expect(run?.id).toBe('recon-1');
    expect((run?.reconciliation_items as unknown[] | undefined)?.length).toBe(1);
    expect((run?.reconciliation_outcomes as { status: string }[] | undefined)?.[0]?.status).toBe('ok');
  });

  it('stops each run at rowsPerRunMax and finishes over later runs', async () => {
    const { db, clock } = await setUp(await makeDb());
    const retention = runner(db, clock, { rowsPerRunMax: 2, batchRows: 1 });
    const first = await retention.runOnce();
    expect(Object.values(first.deleted).reduce((a, b) => a + b, 0)).toBe(2);
    expect(first.truncated).toBe(true);
    expect(first.files.length).toBe(2);
    let deletedTotal = 2;
    for (let run = 0; run < 10; run++) {
      const next = await retention.runOnce();
      deletedTotal += Object.values(next.deleted).reduce((a, b) => a + b, 0);
      if (!next.truncated) break;
    }
    expect(deletedTotal).toBe(6);
    expect((await retention.runOnce()).files).toEqual([]);
  });

  it('runs on its interval only while this instance may prune, and reports each run', async () => {
    const { db, clock } = await setUp(await makeDb());
    let leader = false;
    const ended: unknown[] = [];
    const retention = new RetentionRunner({
      db,
      archive: new ArchiveWriter(dataDir),
      clock,
      logger: silentLogger,
      options: {
        keepDays: { signals: KEEP_DAYS, audit: KEEP_DAYS, alerts: KEEP_DAYS, reconciliation: KEEP_DAYS },
        intervalMs: 3_600_000,
        rowsPerRunMax: 10_000,
        batchRows: 500,
      },
      shouldRun: () => leader,
      onRunEnded: (error) => ended.push(error),
    });
    retention.start();
    await clock.advance(60_000);
    expect(await keys(db, 'SELECT id AS k FROM signals')).toHaveLength(4);
    expect(ended).toEqual([]);
    leader = true;
    await clock.advance(3_600_000);
    // The timer fired on the fake clock; the run's database work then completes on its own.
    await vi.waitFor(() => expect(ended).toEqual([undefined]), { timeout: 10_000 });
    retention.stop();
    expect(await keys(db, 'SELECT id AS k FROM signals')).toEqual(['s-open', 's-quarantined', 's-recent']);
  });

  it('keeps an unresolved order and its signal however old they are', async () => {
    const { db, clock } = await setUp(await makeDb());
    await clock.advance(3_000 * DAY_MS);
    await runner(db, clock).runOnce();
    expect(await keys(db, "SELECT order_id AS k FROM order_events WHERE order_id = 'o-open'")).toHaveLength(
      2,
    );
    expect(await keys(db, "SELECT id AS k FROM signals WHERE id = 's-open'")).toHaveLength(1);
  });
});

it('refuses settings out of bounds with the value in the message', () => {
  expect(() => runner({} as Database, new FakeClock(), { batchRows: 0 })).toThrow(/batchRows .* was 0/);
  expect(() => runner({} as Database, new FakeClock(), { rowsPerRunMax: 1.5 })).toThrow(/was 1.5/);
});

function runner(
  db: Database,
  clock: FakeClock,
  overrides: { rowsPerRunMax?: number; batchRows?: number } = {},
) {
  return new RetentionRunner({
    db,
    archive: new ArchiveWriter(dataDir),
    clock,
    logger: silentLogger,
    options: {
      keepDays: { signals: KEEP_DAYS, audit: KEEP_DAYS, alerts: KEEP_DAYS, reconciliation: KEEP_DAYS },
      intervalMs: 3_600_000,
      rowsPerRunMax: overrides.rowsPerRunMax ?? 10_000,
      batchRows: overrides.batchRows ?? 500,
    },
  });
}

function archivedRows(report: RetentionReport): Map<string, Record<string, unknown>[]> {
  const byTable = new Map<string, Record<string, unknown>[]>();
  for (const file of report.files) {
    const table = file.split('/').at(-2) ?? '';
    byTable.set(table, [...(byTable.get(table) ?? []), ...readArchive(file)]);
  }
  return byTable;
}

async function keys(db: Database, sql: string): Promise<string[]> {
  return (await db.query(sql)).map((row) => String(row.k)).sort();
}

async function setUp(db: Database) {
  const clock = new FakeClock();
  await db.migrate([
    ...journalMigrations,
    ...SIGNAL_STORE_MIGRATIONS,
    ...alertMigrations,
    ...RECONCILIATION_MIGRATIONS,
  ]);
  const ledger = await Ledger.open({ database: db, clock });
  await ledger.postOpening({ asset: 'rls', available: '1000', blocked: '0' });
  const old = clock.nowMs() - 100 * DAY_MS;
  const recent = clock.nowMs() - 5 * DAY_MS;
  await order(db, 'o-done', 's-done', 'FILLED', old);
  await order(db, 'o-open', 's-open', 'UNKNOWN', old);
  await order(db, 'o-recent', 's-recent', 'FILLED', recent);
  await signal(db, 's-done', 'executed', old);
  await signal(db, 's-open', 'executed', old);
  await signal(db, 's-recent', 'executed', recent);
  await signal(db, 's-quarantined', 'quarantined', old);
  await alert(db, 'a-resolved', 'resolved', old);
  await alert(db, 'a-firing', 'firing', old);
  await db.execute(
    `INSERT INTO alert_deliveries (alert_ids, channel, reason, outcome, error, at_ms) VALUES ('["a-resolved"]', 'log', 'new', 'delivered', NULL, ?)`,
    [old],
  );
  await run(db, 1, 'ok', 0, old);
  await run(db, 2, 'breach', 1, old);
  await run(db, 3, 'ok', 0, old); // the latest run stays, whatever its age
  return { db, clock, ledger };
}

async function order(db: Database, id: string, signalId: string, state: string, atMs: number): Promise<void> {
  await db.execute(
    `INSERT INTO orders (id, signal_id, client_order_id, exchange_order_id, base, quote, side, execution, amount,
       price, state, filled_amount, average_price, fee, submit_count, reject_code, last_error, created_at_ms, updated_at_ms)
     VALUES (?, ?, ?, NULL, 'btc', 'rls', 'buy', 'market', '0.1', NULL, ?, '0', NULL, '0', 1, NULL, NULL, ?, ?)`,
    [id, signalId, `c-${id}`, state, atMs, atMs],
  );
  for (const [from, to] of [
    [null, 'PREPARED'],
    ['PREPARED', state],
  ])
    await db.execute(
      `INSERT INTO order_events (order_id, signal_id, from_state, to_state, cause, raw, fencing_token, at_ms)
       VALUES (?, ?, ?, ?, 'test', NULL, NULL, ?)`,
      [id, signalId, from ?? null, to ?? null, atMs],
    );
}

async function signal(db: Database, id: string, state: string, atMs: number): Promise<void> {
  await db.execute(
    `INSERT INTO signals (id, dedup_key, symbol, side, payload, raw, source_ip, state, attempts, last_error,
       received_at_ms, updated_at_ms) VALUES (?, ?, 'BTCIRT', 'buy', '{}', '{}', NULL, ?, 0, NULL, ?, ?)`,
    [id, `k-${id}`, state, atMs, atMs],
  );
}

async function alert(db: Database, id: string, state: string, atMs: number): Promise<void> {
  await db.execute(
    `INSERT INTO alerts (id, dedup_key, severity, source, group_name, title, details, state, first_seen_at_ms,
       last_seen_at_ms, repeat_count) VALUES (?, ?, 'warning', 'test', 'test', 't', '{}', ?, ?, ?, 1)`,
    [id, `key-${id}`, state, atMs, atMs],
  );
}

async function run(
  db: Database,
  seq: number,
  status: string,
  breachCount: number,
  atMs: number,
): Promise<void> {
  const id = `recon-${seq}`;
  await db.execute(
    "INSERT INTO reconciliation_runs (id, seq, kind, started_at_ms) VALUES (?, ?, 'reconcile', ?)",
    [id, seq, atMs],
  );
  await db.execute(
    `INSERT INTO reconciliation_items (run_id, asset, action, unknown_to_ledger, ledger_total_before,
       ledger_blocked_before, exchange_total, exchange_blocked, total_difference, blocked_difference, tolerance,
       ledger_total_after, ledger_blocked_after, posting_seq, reason)
     VALUES (?, 'rls', 'none', 0, '1', '0', '1', '0', '0', '0', '0', '1', '0', NULL, NULL)`,
    [id],
  );
  await db.execute(
    `INSERT INTO reconciliation_outcomes (run_id, finished_at_ms, status, breach_count, unknown_orders, error)
     VALUES (?, ?, ?, ?, '[]', NULL)`,
    [id, atMs, status, breachCount],
  );
}
