// The detector's memory: one row per series (its baseline and recent values, as JSON) and an
// insert-only table of flags. Both dialects through the shared migration mechanism.
import type { Database, Migration } from '../../storage/database.js';
import { withSerialKey } from '../../storage/database.js';
import { type BaselineState, restoreBaseline } from './robust-baseline.js';

export const ANOMALY_MIGRATIONS: readonly Migration[] = [
  {
    id: 'anomaly-001-series',
    sql: `CREATE TABLE anomaly_series (
        series_key TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        updated_at_ms BIGINT NOT NULL
      )`,
  },
  {
    id: 'anomaly-002-flags',
    sql: withSerialKey(
      (serialKey) => `CREATE TABLE anomaly_flags (
        id ${serialKey},
        series_key TEXT NOT NULL,
        flag TEXT NOT NULL,
        at_ms BIGINT NOT NULL,
        evidence TEXT NOT NULL
      )`,
    ),
  },
];

export interface SeriesRecord {
  readonly baseline: BaselineState;
  /** The newest values, oldest first: a flag's evidence. */
  readonly recent: readonly number[];
}

export async function loadSeries(db: Database): Promise<Map<string, SeriesRecord>> {
  const rows = await db.query<{ series_key: string; state: string }>(
    'SELECT series_key, state FROM anomaly_series',
  );
  const series = new Map<string, SeriesRecord>();
  for (const row of rows) series.set(row.series_key, parseRecord(row.state));
  return series;
}

export async function saveSeries(
  db: Database,
  seriesKey: string,
  record: SeriesRecord,
  atMs: number,
): Promise<void> {
  await db.execute(
    `INSERT INTO anomaly_series (series_key, state, updated_at_ms) VALUES (?, ?, ?)
     ON CONFLICT (series_key) DO UPDATE SET state = excluded.state, updated_at_ms = excluded.updated_at_ms`,
    [seriesKey, JSON.stringify(record), atMs],
  );
}

export async function insertFlag(
  db: Database,
  flag: {
    readonly seriesKey: string;
    readonly flag: string;
    readonly atMs: number;
    readonly evidence: unknown;
  },
): Promise<number> {
  const rows = await db.query<{ id: number | string }>(
    'INSERT INTO anomaly_flags (series_key, flag, at_ms, evidence) VALUES (?, ?, ?, ?) RETURNING id',
    [flag.seriesKey, flag.flag, flag.atMs, JSON.stringify(flag.evidence)],
  );
  return Number(rows[0]?.id ?? 0);
}

export async function recentFlagRows(
  db: Database,
  limit: number,
): Promise<{ id: number; evidence: string }[]> {
  const rows = await db.query<{ id: number | string; evidence: string }>(
    'SELECT id, evidence FROM anomaly_flags ORDER BY id DESC LIMIT ?',
    [limit],
  );
  return rows.map((row) => ({ id: Number(row.id), evidence: row.evidence }));
}

function parseRecord(text: string): SeriesRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { baseline: restoreBaseline(undefined), recent: [] };
  }
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const recent = Array.isArray(r.recent)
    ? r.recent.filter((v): v is number => typeof v === 'number' && Number.isFinite(v))
    : [];
  return { baseline: restoreBaseline(r.baseline), recent };
}
