// Persistence of posting sets. Insert-only: no statement here changes or removes a stored row.
// SQL is the common subset of SQLite and PostgreSQL; amounts are TEXT and summed in bigint by the caller.
import type { Migration, Queryable, Row } from '../storage/database.js';
import { parseAccount } from './accounts.js';
import type { Entry, Posting, PostingDraft, PostingKind, PostingMetadata } from './posting.js';
import { rowMinor, rowNumber, rowText } from './sql-values.js';

export const LEDGER_MIGRATIONS: readonly Migration[] = [
  {
    id: 'position-001-ledger',
    sql: `
      CREATE TABLE ledger_postings (
        seq BIGINT PRIMARY KEY,
        idempotency_key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        at_ms BIGINT NOT NULL,
        memo TEXT NOT NULL,
        metadata TEXT NOT NULL,
        order_id TEXT,
        trade_id TEXT
      );
      CREATE INDEX ledger_postings_order_id ON ledger_postings (order_id);
      CREATE INDEX ledger_postings_trade_id ON ledger_postings (trade_id);
      CREATE INDEX ledger_postings_at_ms ON ledger_postings (at_ms);
      CREATE TABLE ledger_entries (
        posting_seq BIGINT NOT NULL REFERENCES ledger_postings (seq),
        entry_index BIGINT NOT NULL,
        account TEXT NOT NULL,
        asset TEXT NOT NULL,
        amount_minor TEXT NOT NULL,
        PRIMARY KEY (posting_seq, entry_index)
      );
      CREATE INDEX ledger_entries_account ON ledger_entries (account, posting_seq)`,
  },
];

/** Postings read per page when rebuilding state on open. */
export const LOAD_PAGE_SIZE = 1_000;

const POSTING_COLUMNS = 'seq, idempotency_key, kind, at_ms, memo, metadata';

/**
 * Inserts one posting set inside the caller's transaction. Returns undefined when the idempotency
 * key already exists (nothing written).
 */
export async function insertPosting(
  tx: Queryable,
  draft: PostingDraft,
  entries: readonly Entry[],
  atMs: number,
): Promise<Posting | undefined> {
  const [top] = await tx.query('SELECT COALESCE(MAX(seq), 0) AS max_seq FROM ledger_postings');
  const seq = rowNumber(top?.max_seq ?? 0, 'max_seq') + 1;
  const inserted = await tx.query(
    `INSERT INTO ledger_postings (${POSTING_COLUMNS}, order_id, trade_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (idempotency_key) DO NOTHING RETURNING seq`,
    [
      seq,
      draft.idempotencyKey,
      draft.kind,
      atMs,
      draft.memo,
      JSON.stringify(draft.metadata),
      draft.metadata.orderId ?? null,
      draft.metadata.tradeId ?? null,
    ],
  );
  if (inserted.length === 0) return undefined;
  for (const [index, entry] of entries.entries()) {
    await tx.execute(
      'INSERT INTO ledger_entries (posting_seq, entry_index, account, asset, amount_minor) VALUES (?, ?, ?, ?, ?)',
      [seq, index, entry.account, entry.asset, entry.amountMinor.toString()],
    );
  }
  const { idempotencyKey, kind, memo, metadata } = draft;
  return { seq, idempotencyKey, kind, atMs, memo, metadata, entries };
}

export async function findPostingByKey(db: Queryable, idempotencyKey: string): Promise<Posting | undefined> {
  const rows = await db.query(`SELECT ${POSTING_COLUMNS} FROM ledger_postings WHERE idempotency_key = ?`, [
    idempotencyKey,
  ]);
  const [posting] = await withEntries(db, rows);
  return posting;
}

/** Postings with seq > afterSeq, in order, at most `limit`. */
export async function loadPostingsAfter(db: Queryable, afterSeq: number, limit: number): Promise<Posting[]> {
  const rows = await db.query(
    `SELECT ${POSTING_COLUMNS} FROM ledger_postings WHERE seq > ? ORDER BY seq LIMIT ?`,
    [afterSeq, limit],
  );
  return withEntries(db, rows);
}

export async function loadPostingsWhere(
  db: Queryable,
  column: 'order_id' | 'trade_id',
  value: string,
  limit: number,
): Promise<Posting[]> {
  const rows = await db.query(
    `SELECT ${POSTING_COLUMNS} FROM ledger_postings WHERE ${column} = ? ORDER BY seq LIMIT ?`,
    [value, limit],
  );
  return withEntries(db, rows);
}

export interface EntryRow {
  readonly seq: number;
  readonly atMs: number;
  readonly kind: PostingKind;
  readonly idempotencyKey: string;
  readonly memo: string;
  readonly amountMinor: bigint;
}

/** Entries of one account with at_ms in [fromMs, toMs), in journal order. */
export async function loadAccountEntries(
  db: Queryable,
  account: string,
  range: { readonly fromMs: number; readonly toMs: number; readonly limit: number },
): Promise<EntryRow[]> {
  const rows = await db.query(
    `SELECT p.seq, p.at_ms, p.kind, p.idempotency_key, p.memo, e.amount_minor
     FROM ledger_entries e JOIN ledger_postings p ON p.seq = e.posting_seq
     WHERE e.account = ? AND p.at_ms >= ? AND p.at_ms < ?
     ORDER BY p.seq, e.entry_index LIMIT ?`,
    [account, range.fromMs, range.toMs, range.limit],
  );
  return rows.map((row) => ({
    seq: rowNumber(row.seq, 'seq'),
    atMs: rowNumber(row.at_ms, 'at_ms'),
    kind: rowText(row.kind, 'kind') as PostingKind,
    idempotencyKey: rowText(row.idempotency_key, 'idempotency_key'),
    memo: rowText(row.memo, 'memo'),
    amountMinor: rowMinor(row.amount_minor, 'amount_minor'),
  }));
}

/** Signed sum (debit positive) of an account's entries posted at or before atMs, summed in bigint. */
export async function sumAccountAt(db: Queryable, account: string, atMs: number): Promise<bigint> {
  const rows = await db.query(
    `SELECT e.amount_minor FROM ledger_entries e JOIN ledger_postings p ON p.seq = e.posting_seq
     WHERE e.account = ? AND p.at_ms <= ?`,
    [account, atMs],
  );
  return rows.reduce((sum, row) => sum + rowMinor(row.amount_minor, 'amount_minor'), 0n);
}

async function withEntries(db: Queryable, rows: readonly Row[]): Promise<Posting[]> {
  if (rows.length === 0) return [];
  const seqs = rows.map((row) => rowNumber(row.seq, 'seq'));
  const placeholders = seqs.map(() => '?').join(', ');
  const entryRows = await db.query(
    `SELECT posting_seq, account, asset, amount_minor FROM ledger_entries
     WHERE posting_seq IN (${placeholders}) ORDER BY posting_seq, entry_index`,
    seqs,
  );
  const bySeq = new Map<number, Entry[]>(seqs.map((seq) => [seq, []]));
  for (const row of entryRows) {
    const account = rowText(row.account, 'account');
    const asset = rowText(row.asset, 'asset');
    const amountMinor = rowMinor(row.amount_minor, 'amount_minor');
    bySeq.get(rowNumber(row.posting_seq, 'posting_seq'))?.push({ account, asset, amountMinor });
    void parseAccount(account); // a stored account that no longer parses is corruption: fail loudly
  }
  return rows.map((row) => {
    const seq = rowNumber(row.seq, 'seq');
    return {
      seq,
      idempotencyKey: rowText(row.idempotency_key, 'idempotency_key'),
      kind: rowText(row.kind, 'kind') as PostingKind,
      atMs: rowNumber(row.at_ms, 'at_ms'),
      memo: rowText(row.memo, 'memo'),
      metadata: JSON.parse(rowText(row.metadata, 'metadata')) as PostingMetadata,
      entries: bySeq.get(seq) ?? [],
    };
  });
}
