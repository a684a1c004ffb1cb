// Alert history and delivery outcomes, persisted and searchable.
import {
  type Database,
  type Migration,
  type Queryable,
  type Row,
  type SqlValue,
  withSerialKey,
} from '../../storage/database.js';
import type { Alert, AlertState, Severity } from './alert.js';

export const alertMigrations: readonly Migration[] = [
  {
    id: 'alerts-001-alerts',
    sql: `CREATE TABLE IF NOT EXISTS alerts (
        id TEXT PRIMARY KEY, dedup_key TEXT NOT NULL, severity TEXT NOT NULL, source TEXT NOT NULL,
        group_name TEXT NOT NULL, title TEXT NOT NULL, details TEXT NOT NULL, state TEXT NOT NULL,
        first_seen_at_ms BIGINT NOT NULL, last_seen_at_ms BIGINT NOT NULL, repeat_count BIGINT NOT NULL,
        acknowledged_by TEXT, acknowledged_at_ms BIGINT, resolved_by TEXT, resolved_at_ms BIGINT);
      CREATE INDEX IF NOT EXISTS alerts_key_state ON alerts (dedup_key, state);
      CREATE INDEX IF NOT EXISTS alerts_last_seen ON alerts (last_seen_at_ms)`,
  },
  {
    id: 'alerts-002-deliveries',
    sql: withSerialKey(
      (serialKey) => `CREATE TABLE IF NOT EXISTS alert_deliveries (
          seq ${serialKey}, alert_ids TEXT NOT NULL, channel TEXT NOT NULL,
          reason TEXT NOT NULL, outcome TEXT NOT NULL, error TEXT, at_ms BIGINT NOT NULL)`,
    ),
  },
];

export interface AlertSearch {
  readonly severity?: Severity;
  readonly source?: string;
  readonly state?: AlertState;
  readonly fromMs?: number;
  readonly toMs?: number;
  /** Matched against title and details, case-insensitively. */
  readonly text?: string;
  readonly limit?: number;
}

export interface DeliveryRecord {
  readonly alertIds: readonly string[];
  readonly channel: string;
  readonly reason: string;
  readonly outcome: 'delivered' | 'failed' | 'dropped';
  readonly error: string | null;
  readonly atMs: number;
}

export const SEARCH_LIMIT_MAX = 1_000;

export class AlertStore {
  constructor(private readonly db: Database) {}

  async findOpenByKey(tx: Queryable, key: string): Promise<Alert | undefined> {
    const rows = await tx.query(
      "SELECT * FROM alerts WHERE dedup_key = ? AND state IN ('firing', 'acknowledged') ORDER BY last_seen_at_ms DESC LIMIT 1",
      [key],
    );
    return rows[0] === undefined ? undefined : fromRow(rows[0]);
  }

  /** Writes an alert, new or not. */
  async save(tx: Queryable, alert: Alert): Promise<void> {
    const { changes } = await tx.execute(
      `UPDATE alerts SET dedup_key = ?, severity = ?, source = ?, group_name = ?, title = ?, details = ?, state = ?,
         first_seen_at_ms = ?, last_seen_at_ms = ?, repeat_count = ?, acknowledged_by = ?, acknowledged_at_ms = ?,
         resolved_by = ?, resolved_at_ms = ? WHERE id = ?`,
      [...columnValues(alert), alert.id],
    );
    if (changes === 0) await this.insert(tx, alert);
  }

  /** Writes an alert just created under a fresh id: one INSERT, without save's UPDATE that finds nothing. */
  async insert(tx: Queryable, alert: Alert): Promise<void> {
    await tx.execute(
      `INSERT INTO alerts (dedup_key, severity, source, group_name, title, details, state, first_seen_at_ms,
         last_seen_at_ms, repeat_count, acknowledged_by, acknowledged_at_ms, resolved_by, resolved_at_ms, id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [...columnValues(alert), alert.id],
    );
  }

  /** Reads through `tx` when given, so a caller inside a transaction never waits on itself. */
  async get(id: string, tx: Queryable = this.db): Promise<Alert | undefined> {
    const rows = await tx.query('SELECT * FROM alerts WHERE id = ?', [id]);
    return rows[0] === undefined ? undefined : fromRow(rows[0]);
  }

  async search(search: AlertSearch = {}): Promise<Alert[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    const add = (clause: string, ...values: SqlValue[]) => {
      where.push(clause);
      params.push(...values);
    };
    if (search.severity !== undefined) add('severity = ?', search.severity);
    if (search.source !== undefined) add('source = ?', search.source);
    if (search.state !== undefined) add('state = ?', search.state);
    if (search.fromMs !== undefined) add('last_seen_at_ms >= ?', search.fromMs);
    if (search.toMs !== undefined) add('first_seen_at_ms <= ?', search.toMs);
    if (search.text !== undefined && search.text.length > 0) {
      const pattern = `%${search.text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      add("(LOWER(title) LIKE ? ESCAPE '\\' OR LOWER(details) LIKE ? ESCAPE '\\')", pattern, pattern);
    }
    const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const limit = Math.min(search.limit ?? 100, SEARCH_LIMIT_MAX);
    const rows = await this.db.query(
      `SELECT * FROM alerts ${filter} ORDER BY last_seen_at_ms DESC, id DESC LIMIT ?`,
      [...params, limit],
    );
    return rows.map(fromRow);
  }

  async recordDelivery(record: DeliveryRecord): Promise<void> {
    await this.db.execute(
      'INSERT INTO alert_deliveries (alert_ids, channel, reason, outcome, error, at_ms) VALUES (?, ?, ?, ?, ?, ?)',
      [record.alertIds.join(','), record.channel, record.reason, record.outcome, record.error, record.atMs],
    );
  }

  async deliveries(query: { channel?: string; limit?: number } = {}): Promise<DeliveryRecord[]> {
    const rows = await this.db.query(
      `SELECT * FROM alert_deliveries ${query.channel === undefined ? '' : 'WHERE channel = ?'} ORDER BY seq DESC LIMIT ?`,
      query.channel === undefined
        ? [Math.min(query.limit ?? 100, 1_000)]
        : [query.channel, Math.min(query.limit ?? 100, 1_000)],
    );
    return rows.map((row) => ({
      alertIds: String(row.alert_ids).split(','),
      channel: String(row.channel),
      reason: String(row.reason),
      outcome: String(row.outcome) as DeliveryRecord['outcome'],
      error: row.error === null ? null : String(row.error),
      atMs: Number(row.at_ms),
    }));
  }
}

/** The columns of an alert but its id, in the order save and insert bind them. */
function columnValues(alert: Alert): SqlValue[] {
  return [
    alert.key,
    alert.severity,
    alert.source,
    alert.group,
    alert.title,
    JSON.stringify(alert.details),
    alert.state,
    alert.firstSeenAtMs,
    alert.lastSeenAtMs,
    alert.repeatCount,
    alert.acknowledgedBy,
    alert.acknowledgedAtMs,
    alert.resolvedBy,
    alert.resolvedAtMs,
  ];
}

function fromRow(row: Row): Alert {
  const nullableNumber = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  const nullableText = (value: unknown) => (value === null || value === undefined ? null : String(value));
  return {
    id: String(row.id),
    key: String(row.dedup_key),
    severity: String(row.severity) as Severity,
    source: String(row.source),
    group: String(row.group_name),
    title: String(row.title),
    details: JSON.parse(String(row.details)) as Record<string, unknown>,
    state: String(row.state) as AlertState,
    firstSeenAtMs: Number(row.first_seen_at_ms),
    lastSeenAtMs: Number(row.last_seen_at_ms),
    repeatCount: Number(row.repeat_count),
    acknowledgedBy: nullableText(row.acknowledged_by),
    acknowledgedAtMs: nullableNumber(row.acknowledged_at_ms),
    resolvedBy: nullableText(row.resolved_by),
    resolvedAtMs: nullableNumber(row.resolved_at_ms),
  };
}
