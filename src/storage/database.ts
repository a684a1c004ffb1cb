// One storage interface, two backends (SQLite default, PostgreSQL for scale-out).
// SQL is written once with `?` placeholders in the common subset of both dialects:
// TEXT for decimals and ids, BIGINT for epoch ms and counters, ON CONFLICT DO NOTHING, RETURNING.

export type SqlValue = string | number | bigint | null;
export type Row = Record<string, unknown>;

export interface Queryable {
  /** Rows of a SELECT (or of a statement with RETURNING). */
  query<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs a statement; `changes` is the number of rows it inserted, updated or deleted. */
  execute(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
}

export interface Database extends Queryable {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws.
   * Nothing else runs on the connection in between (SQLite serializes; PostgreSQL uses one client).
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Applies migrations not yet applied, in order, each in its own transaction. */
  migrate(migrations: readonly Migration[]): Promise<void>;
  /** True when a trivial query answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface Migration {
  /** Unique and stable forever, for example `journal-001-orders`. Applied in array order. */
  readonly id: string;
  /** One SQL text for both dialects, or one per dialect. Statements separated by `;`. */
  readonly sql: string | { readonly sqlite: string; readonly postgres: string };
}

export function migrationSql(migration: Migration, dialect: Database['dialect']): string {
  return typeof migration.sql === 'string' ? migration.sql : migration.sql[dialect];
}

/** Splits a migration text into statements (no `;` inside string literals in our migrations). */
export function splitStatements(sql: string): string[] {
  return sql
    .split(';')
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}

export const MIGRATIONS_TABLE_SQL =
  'CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at_ms BIGINT NOT NULL)';

/** Applies one migration inside the caller's transaction, unless it was applied before. */
export async function applyMigration(
  tx: Queryable,
  migration: Migration,
  dialect: Database['dialect'],
): Promise<void> {
  const done = await tx.query('SELECT id FROM schema_migrations WHERE id = ?', [migration.id]);
  if (done.length > 0) return;
  for (const statement of splitStatements(migrationSql(migration, dialect))) await tx.execute(statement);
  await tx.execute('INSERT INTO schema_migrations (id, applied_at_ms) VALUES (?, ?)', [
    migration.id,
    Date.now(),
  ]);
}

/**
 * One migration text for a table whose key is an auto-incrementing sequence: the only part the two
 * dialects spell differently. `template` receives the key column's type and constraint.
 */
export function withSerialKey(template: (serialKey: string) => string): { sqlite: string; postgres: string } {
  return {
    sqlite: template('INTEGER PRIMARY KEY AUTOINCREMENT'),
    postgres: template('BIGSERIAL PRIMARY KEY'),
  };
}
