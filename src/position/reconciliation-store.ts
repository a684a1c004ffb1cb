// Audit trail of reconciliation runs, their per-currency items and breach acknowledgements.
// Insert-only: a run is reserved first, then its items and outcome are written in one transaction.
import { formatDecimal, parseDecimal } from '../core/decimal.js';
import type { Database, Migration, Row } from '../storage/database.js';
import { ReconciliationRunNotFoundError } from './errors.js';
import type { ExchangeOpenOrder, ReconciliationAction } from './reconciliation-compare.js';
import {
  type ReconciliationResult,
  type ReconciliationRow,
  type ReconciliationRunKind,
  type ReconciliationStatus,
  summarize,
} from './reconciliation-result.js';
import { rowNumber, rowOptionalText, rowText } from './sql-values.js';

export const RECONCILIATION_MIGRATIONS: readonly Migration[] = [
  {
    id: 'position-002-reconciliation',
    sql: `
      CREATE TABLE reconciliation_runs (
        id TEXT PRIMARY KEY,
        seq BIGINT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        started_at_ms BIGINT NOT NULL
      );
      CREATE TABLE reconciliation_outcomes (
        run_id TEXT PRIMARY KEY REFERENCES reconciliation_runs (id),
        finished_at_ms BIGINT NOT NULL,
        status TEXT NOT NULL,
        breach_count BIGINT NOT NULL,
        unknown_orders TEXT NOT NULL,
        error TEXT
      );
      CREATE TABLE reconciliation_items (
        run_id TEXT NOT NULL REFERENCES reconciliation_runs (id),
        asset TEXT NOT NULL,
        action TEXT NOT NULL,
        unknown_to_ledger BIGINT NOT NULL,
        ledger_total_before TEXT NOT NULL,
        ledger_blocked_before TEXT NOT NULL,
        exchange_total TEXT NOT NULL,
        exchange_blocked TEXT NOT NULL,
        total_difference TEXT NOT NULL,
        blocked_difference TEXT NOT NULL,
        tolerance TEXT NOT NULL,
        ledger_total_after TEXT NOT NULL,
        ledger_blocked_after TEXT NOT NULL,
        posting_seq BIGINT,
        reason TEXT,
        PRIMARY KEY (run_id, asset)
      );
      CREATE TABLE reconciliation_acknowledgements (
        run_id TEXT PRIMARY KEY REFERENCES reconciliation_runs (id),
        run_seq BIGINT NOT NULL,
        acknowledged_by TEXT NOT NULL,
        at_ms BIGINT NOT NULL
      )`,
  },
];

export interface RunReservation {
  readonly runId: string;
  readonly seq: number;
}

export async function reserveRun(
  db: Database,
  kind: ReconciliationRunKind,
  atMs: number,
): Promise<RunReservation> {
  return db.transaction(async (tx) => {
    const [top] = await tx.query('SELECT COALESCE(MAX(seq), 0) AS max_seq FROM reconciliation_runs');
    const seq = rowNumber(top?.max_seq ?? 0, 'max_seq') + 1;
    const runId = `recon-${seq}`;
    await tx.execute('INSERT INTO reconciliation_runs (id, seq, kind, started_at_ms) VALUES (?, ?, ?, ?)', [
      runId,
      seq,
      kind,
      atMs,
    ]);
    return { runId, seq };
  });
}

export async function saveOutcome(db: Database, result: ReconciliationResult): Promise<void> {
  await db.transaction(async (tx) => {
    for (const row of result.rows) {
      await tx.execute(
        `INSERT INTO reconciliation_items (run_id, asset, action, unknown_to_ledger, ledger_total_before,
           ledger_blocked_before, exchange_total, exchange_blocked, total_difference, blocked_difference, tolerance,
           ledger_total_after, ledger_blocked_after, posting_seq, reason)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          result.runId,
          row.asset,
          row.action,
          row.unknownToLedger ? 1 : 0,
          ...[row.ledgerTotal, row.ledgerBlocked, row.exchangeTotal, row.exchangeBlocked].map(formatDecimal),
          ...[row.totalDifference, row.blockedDifference, row.tolerance].map(formatDecimal),
          formatDecimal(row.ledgerTotalAfter),
          formatDecimal(row.ledgerBlockedAfter),
          row.postingSeq ?? null,
          row.reason ?? null,
        ],
      );
    }
    await tx.execute(
      `INSERT INTO reconciliation_outcomes (run_id, finished_at_ms, status, breach_count, unknown_orders, error)
       VALUES (?, ?, ?, ?, ?, ?)`,
      [
        result.runId,
        result.finishedAtMs,
        result.status,
        result.summary.breachCount,
        JSON.stringify(result.unknownOrders),
        result.error ?? null,
      ],
    );
  });
}

export interface UnacknowledgedBreach {
  readonly runId: string;
  readonly finishedAtMs: number;
}

/** The latest breached run after the last acknowledgement, if any. */
export async function findUnacknowledgedBreach(db: Database): Promise<UnacknowledgedBreach | undefined> {
  const [row] = await db.query(
    `SELECT o.run_id, o.finished_at_ms FROM reconciliation_outcomes o
     JOIN reconciliation_runs r ON r.id = o.run_id
     WHERE o.breach_count > 0
       AND r.seq > (SELECT COALESCE(MAX(run_seq), 0) FROM reconciliation_acknowledgements)
     ORDER BY r.seq DESC LIMIT 1`,
  );
  if (row === undefined) return undefined;
  return {
    runId: rowText(row.run_id, 'run_id'),
    finishedAtMs: rowNumber(row.finished_at_ms, 'finished_at_ms'),
  };
}

/** Acknowledges a breached run and every breach before it. Acknowledging twice is a no-op. */
export async function insertAcknowledgement(
  db: Database,
  input: { readonly runId: string; readonly by: string; readonly atMs: number },
): Promise<void> {
  await db.transaction(async (tx) => {
    const [run] = await tx.query(
      `SELECT r.seq FROM reconciliation_runs r JOIN reconciliation_outcomes o ON o.run_id = r.id
       WHERE r.id = ? AND o.breach_count > 0`,
      [input.runId],
    );
    if (run === undefined) throw new ReconciliationRunNotFoundError(`no breached run ${input.runId}`);
    await tx.execute(
      `INSERT INTO reconciliation_acknowledgements (run_id, run_seq, acknowledged_by, at_ms) VALUES (?, ?, ?, ?)
       ON CONFLICT (run_id) DO NOTHING`,
      [input.runId, rowNumber(run.seq, 'seq'), input.by, input.atMs],
    );
  });
}

/** The newest finished run that compared wallets (status not error), if any. */
export async function loadLatestComparedRun(db: Database): Promise<ReconciliationResult | undefined> {
  const [row] = await db.query(
    `SELECT r.id FROM reconciliation_runs r JOIN reconciliation_outcomes o ON o.run_id = r.id
     WHERE o.status <> 'error' ORDER BY r.seq DESC LIMIT 1`,
  );
  return row === undefined ? undefined : loadRun(db, rowText(row.id, 'id'));
}

/** Reads a finished run back from the audit tables (undefined if it never finished). */
export async function loadRun(db: Database, runId: string): Promise<ReconciliationResult | undefined> {
  const [run] = await db.query(
    `SELECT r.id, r.kind, r.started_at_ms, o.finished_at_ms, o.status, o.unknown_orders, o.error
     FROM reconciliation_runs r JOIN reconciliation_outcomes o ON o.run_id = r.id WHERE r.id = ?`,
    [runId],
  );
  if (run === undefined) return undefined;
  const items = await db.query('SELECT * FROM reconciliation_items WHERE run_id = ? ORDER BY asset', [runId]);
  const rows = items.map(itemOf);
  const unknownOrders = JSON.parse(rowText(run.unknown_orders, 'unknown_orders')) as ExchangeOpenOrder[];
  const error = rowOptionalText(run.error, 'error');
  return {
    runId,
    kind: rowText(run.kind, 'kind') as ReconciliationRunKind,
    startedAtMs: rowNumber(run.started_at_ms, 'started_at_ms'),
    finishedAtMs: rowNumber(run.finished_at_ms, 'finished_at_ms'),
    status: rowText(run.status, 'status') as ReconciliationStatus,
    rows,
    unknownOrders,
    summary: summarize(rows, unknownOrders.length),
    ...(error === undefined ? {} : { error }),
  };
}

function itemOf(row: Row): ReconciliationRow {
  const decimal = (column: string) => parseDecimal(rowText(row[column], column), column);
  const reason = rowOptionalText(row.reason, 'reason');
  const postingSeq = row.posting_seq === null ? undefined : rowNumber(row.posting_seq, 'posting_seq');
  const blockedDifference = decimal('blocked_difference');
  const totalDifference = decimal('total_difference');
  return {
    asset: rowText(row.asset, 'asset'),
    action: rowText(row.action, 'action') as ReconciliationAction,
    unknownToLedger: rowNumber(row.unknown_to_ledger, 'unknown_to_ledger') === 1,
    ledgerTotal: decimal('ledger_total_before'),
    ledgerBlocked: decimal('ledger_blocked_before'),
    exchangeTotal: decimal('exchange_total'),
    exchangeBlocked: decimal('exchange_blocked'),
    totalDifference,
    blockedDifference,
    availableDifference: totalDifference.minus(blockedDifference),
    tolerance: decimal('tolerance'),
    ledgerTotalAfter: decimal('ledger_total_after'),
    ledgerBlockedAfter: decimal('ledger_blocked_after'),
    ...(postingSeq === undefined ? {} : { postingSeq }),
    ...(reason === undefined ? {} : { reason }),
  };
}

/**
 * True once an initialize run has finished (its outcome saved, status not error). A run killed
 * between two openings leaves no outcome, so the next start initializes again: openings are
 * idempotent and only post currencies the ledger has never seen.
 */
export async function hasFinishedInitialize(db: Database): Promise<boolean> {
  const rows = await db.query(
    `SELECT 1 AS found FROM reconciliation_outcomes o JOIN reconciliation_runs r ON r.id = o.run_id
     WHERE r.kind = 'initialize' AND o.status <> 'error' LIMIT 1`,
  );
  return rows.length > 0;
}
