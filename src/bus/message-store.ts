// SQL for the bus table, in the common dialect. Every state change after a claim is fenced by
// (lease_owner, attempts): a consumer whose lease expired and was re-claimed elsewhere changes nothing.
import { parse as parseLossless, stringify as stringifyLossless } from 'lossless-json';
import { parseJsonLosslessFast } from '../core/decimal.js';
import type { Database, Queryable } from '../storage/database.js';

export type MessageState = 'pending' | 'processing' | 'done' | 'quarantined';
export const MESSAGE_STATES: readonly MessageState[] = ['pending', 'processing', 'done', 'quarantined'];

export interface PublishMessage {
  /** Unique and stable: publishing the same id again is a no-op (idempotent publish). */
  readonly id: string;
  readonly topic: string;
  /** Messages with the same key are delivered one at a time, in publish order (e.g. the symbol). */
  readonly partitionKey: string;
  /** JSON-serializable. Put amounts in as strings or Decimals, never floats. */
  readonly payload: unknown;
  /** First delivery not before this epoch ms. Default: now. */
  readonly availableAtMs?: number;
}

export interface BusMessage {
  readonly id: string;
  readonly topic: string;
  readonly partitionKey: string;
  /** Parsed without floats: safe integers are numbers, other numbers LosslessNumbers. */
  readonly payload: unknown;
  /** 1 on the first delivery. */
  readonly attempt: number;
  readonly createdAtMs: number;
}

/** A message claimed under a lease by one consumer. */
export interface Claim {
  readonly message: BusMessage;
  readonly leaseOwner: string;
}

type ClaimRow = {
  id: string;
  topic: string;
  partition_key: string;
  payload: string;
  attempts: number;
  created_at_ms: number;
};

export const ERROR_TEXT_LENGTH_MAX = 1_000;

export function serializePayload(payload: unknown): string {
  const text = stringifyLossless(payload);
  if (text === undefined) throw new RangeError(`payload must be JSON-serializable, was ${typeof payload}`);
  parseLossless(text); // proves it parses back
  return text;
}

export async function insertMessage(
  target: Queryable,
  message: PublishMessage,
  payloadText: string,
  nowMs: number,
) {
  const { changes } = await target.execute(
    `INSERT INTO bus_messages (id, topic, partition_key, payload, state, attempts, available_at_ms, created_at_ms, updated_at_ms)
     VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?) ON CONFLICT DO NOTHING`,
    [
      message.id,
      message.topic,
      message.partitionKey,
      payloadText,
      message.availableAtMs ?? nowMs,
      nowMs,
      nowMs,
    ],
  );
  return changes === 1;
}

/**
 * Claims up to `limit` deliverable messages of a topic: pending and due, or processing with an expired
 * lease, and only the head of each partition key (nothing earlier of that key pending or processing).
 */
export function claimMessages(db: Database, request: ClaimRequest): Promise<Claim[]> {
  return db.transaction((tx) => claimInTransaction(tx, db.dialect, request));
}

export interface ClaimRequest {
  readonly topic: string;
  readonly limit: number;
  readonly leaseOwner: string;
  readonly leaseUntilMs: number;
  readonly nowMs: number;
}

/** claimMessages inside the caller's transaction (a settle's: the claim commits with it). */
export async function claimInTransaction(
  tx: Queryable,
  dialect: Database['dialect'],
  request: ClaimRequest,
): Promise<Claim[]> {
  const rows = dialect === 'sqlite' ? await sqliteHeads(tx, request) : await postgresHeads(tx, request);
  if (rows.length === 0) return [];
  await tx.execute(
    `UPDATE bus_messages SET state = 'processing', attempts = attempts + 1, lease_owner = ?, lease_until_ms = ?,
     updated_at_ms = ? WHERE id IN (${rows.map(() => '?').join(', ')})`,
    [request.leaseOwner, request.leaseUntilMs, request.nowMs, ...rows.map((row) => row.id)],
  );
  return rows.map((row) => ({ leaseOwner: request.leaseOwner, message: toMessage(row) }));
}

type HeadsRequest = { topic: string; limit: number; nowMs: number };
const CLAIM_COLUMNS = 'id, topic, partition_key, payload, attempts, created_at_ms';
const OPEN_STATES = ['pending', 'processing'] as const;
type HeadRow = ClaimRow & {
  seq: number;
  state: MessageState;
  available_at_ms: number;
  lease_until_ms: number | null;
};

/**
 * The claimable heads, by index seeks only (SQLite, inside its write transaction, so nothing changes
 * meanwhile): each open partition key of the topic (a skip scan over the open-heads index), then its
 * first open message. One GROUP BY over the open messages instead would read every one of them at
 * each claim: a backlog of N signals made each claim O(N) and the drain O(N²).
 */
async function sqliteHeads(tx: Queryable, request: HeadsRequest): Promise<ClaimRow[]> {
  const keys = new Set<string>();
  for (const state of OPEN_STATES) {
    let after: string | undefined;
    for (;;) {
      const [next] = await tx.query<{ partition_key: string }>(
        `SELECT partition_key FROM bus_messages WHERE topic = ? AND state = ?${after === undefined ? '' : ' AND partition_key > ?'}
         ORDER BY partition_key LIMIT 1`,
        after === undefined ? [request.topic, state] : [request.topic, state, after],
      );
      if (next === undefined) break;
      keys.add(next.partition_key);
      after = next.partition_key;
    }
  }
  const heads: HeadRow[] = [];
  for (const key of keys) {
    let head: HeadRow | undefined;
    for (const state of OPEN_STATES) {
      const [first] = await tx.query<HeadRow>(
        `SELECT seq, state, available_at_ms, lease_until_ms, ${CLAIM_COLUMNS} FROM bus_messages
         WHERE topic = ? AND state = ? AND partition_key = ? ORDER BY seq LIMIT 1`,
        [request.topic, state, key],
      );
      if (first !== undefined && (head === undefined || first.seq < head.seq)) head = first;
    }
    if (head === undefined) continue;
    const due =
      head.state === 'pending'
        ? head.available_at_ms <= request.nowMs
        : head.lease_until_ms !== null && head.lease_until_ms <= request.nowMs;
    if (due) heads.push(head);
  }
  heads.sort((a, b) => a.seq - b.seq);
  return heads.slice(0, request.limit);
}

function postgresHeads(tx: Queryable, request: HeadsRequest): Promise<ClaimRow[]> {
  return tx.query<ClaimRow>(
    // Candidates are the first pending and the first processing message of each key (an index-only
    // scan of the open messages, never of the done ones), and a candidate is the key's head when no
    // open message of its key comes before it.
    `SELECT m.id, m.topic, m.partition_key, m.payload, m.attempts, m.created_at_ms FROM bus_messages m
       WHERE m.seq IN (SELECT MIN(h.seq) FROM bus_messages h WHERE h.topic = ? AND h.state IN ('pending', 'processing')
                       GROUP BY h.topic, h.state, h.partition_key)
         AND ((m.state = 'pending' AND m.available_at_ms <= ?) OR (m.state = 'processing' AND m.lease_until_ms <= ?))
         AND NOT EXISTS (SELECT 1 FROM bus_messages p WHERE p.topic = m.topic AND p.state IN ('pending', 'processing')
                         AND p.partition_key = m.partition_key AND p.seq < m.seq)
       ORDER BY m.seq LIMIT ? FOR UPDATE OF m SKIP LOCKED`,
    [request.topic, request.nowMs, request.nowMs, request.limit],
  );
}

type Settle =
  | { kind: 'done' }
  | { kind: 'retry'; availableAtMs: number; error: string }
  | { kind: 'quarantined'; error: string }
  | { kind: 'released' }; // claimed but never delivered: back to pending, the attempt not counted

/** Ends a claim; false when the lease was lost (another consumer owns the message now). */
export async function settleClaim(
  db: Queryable,
  claim: Claim,
  outcome: Settle,
  nowMs: number,
): Promise<boolean> {
  const fence = [claim.message.id, claim.leaseOwner, claim.message.attempt] as const;
  const where = `WHERE id = ? AND lease_owner = ? AND attempts = ? AND state = 'processing'`;
  const clear = 'lease_owner = NULL, lease_until_ms = NULL, updated_at_ms = ?';
  let result: { changes: number };
  if (outcome.kind === 'done') {
    result = await db.execute(`UPDATE bus_messages SET state = 'done', ${clear} ${where}`, [nowMs, ...fence]);
  } else if (outcome.kind === 'retry') {
    result = await db.execute(
      `UPDATE bus_messages SET state = 'pending', available_at_ms = ?, last_error = ?, ${clear} ${where}`,
      [outcome.availableAtMs, truncate(outcome.error), nowMs, ...fence],
    );
  } else if (outcome.kind === 'quarantined') {
    result = await db.execute(
      `UPDATE bus_messages SET state = 'quarantined', last_error = ?, ${clear} ${where}`,
      [truncate(outcome.error), nowMs, ...fence],
    );
  } else {
    result = await db.execute(
      `UPDATE bus_messages SET state = 'pending', attempts = attempts - 1, ${clear} ${where}`,
      [nowMs, ...fence],
    );
  }
  return result.changes === 1;
}

/**
 * Extends every lease a consumer holds on `topic` (heartbeat while handlers run). By topic and state
 * first, so it reads the open messages through their index, never the done ones of a year.
 */
export async function renewLeases(
  db: Queryable,
  request: { topic: string; leaseOwner: string; leaseUntilMs: number },
): Promise<number> {
  const { changes } = await db.execute(
    `UPDATE bus_messages SET lease_until_ms = ? WHERE topic = ? AND state = 'processing' AND lease_owner = ?`,
    [request.leaseUntilMs, request.topic, request.leaseOwner],
  );
  return changes;
}

function toMessage(row: ClaimRow): BusMessage {
  return {
    id: row.id,
    topic: row.topic,
    partitionKey: row.partition_key,
    payload: parseJsonLosslessFast(row.payload),
    attempt: Number(row.attempts) + 1,
    createdAtMs: Number(row.created_at_ms),
  };
}

function truncate(text: string): string {
  return text.length <= ERROR_TEXT_LENGTH_MAX ? text : `${text.slice(0, ERROR_TEXT_LENGTH_MAX - 1)}…`;
}

/**
 * Expires every lease on `topic`, so its messages are claimable at once. Only for a consumer about to
 * start that knows it is the sole one (single process, or the lease-holding leader): any lease left is
 * a dead predecessor's (even one with the same configured instance id), and waiting it out would stall
 * those partition keys.
 */
export async function expireLeases(db: Queryable, topic: string, nowMs: number): Promise<number> {
  const { changes } = await db.execute(
    `UPDATE bus_messages SET lease_until_ms = ?, updated_at_ms = ?
     WHERE topic = ? AND state = 'processing' AND lease_until_ms > ?`,
    [nowMs, nowMs, topic, nowMs],
  );
  return changes;
}
