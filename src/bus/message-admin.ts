// Operator and monitoring queries on the bus table: depth and lag per topic, requeue, retention.
import type { Queryable } from '../storage/database.js';
import { MESSAGE_STATES, type MessageState } from './message-store.js';

export interface TopicStats {
  readonly depth: Readonly<Record<MessageState, number>>;
  /** Age of the oldest message not yet done or quarantined (pending or processing), ms; 0 when none. */
  readonly lagMs: number;
}

export async function topicStats(db: Queryable, nowMs: number): Promise<Record<string, TopicStats>> {
  const rows = await db.query<{ topic: string; state: MessageState; count: number; oldest: number }>(
    'SELECT topic, state, COUNT(*) AS count, MIN(created_at_ms) AS oldest FROM bus_messages GROUP BY topic, state',
  );
  const stats: Record<string, { depth: Record<MessageState, number>; lagMs: number }> = {};
  for (const row of rows) {
    const topic = stats[row.topic] ?? { depth: emptyDepth(), lagMs: 0 };
    stats[row.topic] = topic;
    topic.depth[row.state] = Number(row.count);
    if (row.state === 'pending' || row.state === 'processing')
      topic.lagMs = Math.max(topic.lagMs, nowMs - Number(row.oldest));
  }
  return stats;
}

/** Quarantined → pending with a fresh attempt budget. False when the id is not quarantined. */
export async function requeueMessage(db: Queryable, id: string, nowMs: number): Promise<boolean> {
  const { changes } = await db.execute(
    `UPDATE bus_messages SET state = 'pending', attempts = 0, available_at_ms = ?, updated_at_ms = ?,
     lease_owner = NULL, lease_until_ms = NULL WHERE id = ? AND state = 'quarantined'`,
    [nowMs, nowMs, id],
  );
  return changes === 1;
}

export interface QuarantinedMessage {
  readonly id: string;
  readonly topic: string;
  readonly partitionKey: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly updatedAtMs: number;
}

export async function listQuarantined(db: Queryable, limit: number): Promise<QuarantinedMessage[]> {
  const rows = await db.query<{
    id: string;
    topic: string;
    partition_key: string;
    attempts: number;
    last_error: string | null;
    updated_at_ms: number;
  }>(
    `SELECT id, topic, partition_key, attempts, last_error, updated_at_ms FROM bus_messages
     WHERE state = 'quarantined' ORDER BY seq LIMIT ?`,
    [limit],
  );
  return rows.map((row) => ({
    id: row.id,
    topic: row.topic,
    partitionKey: row.partition_key,
    attempts: Number(row.attempts),
    lastError: row.last_error,
    updatedAtMs: Number(row.updated_at_ms),
  }));
}

/** Deletes up to `limit` done messages last touched before `beforeMs` (retention); returns how many. */
export async function purgeDone(db: Queryable, beforeMs: number, limit: number): Promise<number> {
  const { changes } = await db.execute(
    `DELETE FROM bus_messages WHERE id IN (SELECT id FROM bus_messages WHERE state = 'done' AND updated_at_ms < ?
     ORDER BY seq LIMIT ?)`,
    [beforeMs, limit],
  );
  return changes;
}

function emptyDepth(): Record<MessageState, number> {
  return Object.fromEntries(MESSAGE_STATES.map((state) => [state, 0])) as Record<MessageState, number>;
}
