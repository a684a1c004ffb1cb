// Goal: the bus's hot path (publish, claim, settle, lease renewal and expiry) reaches its rows through
// an index, never by reading the whole table: a year of done messages must not slow a claim or a
// heartbeat. Method: the real bus on SQLite, every statement it runs recorded, then SQLite's own
// query plan of each asked for.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { FakeClock } from '../core/clock.js';
import type { Database, SqlValue } from '../storage/database.js';
import { SqliteDatabase } from '../storage/sqlite-database.js';
import { busMigrations } from './bus-migrations.js';
import { MessageBus } from './index.js';

let folder: string | undefined;
afterEach(() => {
  if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  folder = undefined;
});

/** The database, recording every statement run outside a transaction and inside one. */
function recording(db: Database): { db: Database; statements: Set<string> } {
  const statements = new Set<string>();
  const recorded = <T>(sql: string, run: () => T): T => {
    statements.add(sql);
    return run();
  };
  const wrapped: Database = Object.create(db);
  wrapped.query = (sql: string, params?: readonly SqlValue[]) => recorded(sql, () => db.query(sql, params));
  wrapped.execute = (sql: string, params?: readonly SqlValue[]) =>
    recorded(sql, () => db.execute(sql, params));
  wrapped.transaction = (fn) =>
    db.transaction((tx) =>
      fn({
        query: (sql, params) => recorded(sql, () => tx.query(sql, params)),
        execute: (sql, params) => recorded(sql, () => tx.execute(sql, params)),
      }),
    );
  return { db: wrapped, statements };
}

it('reads only through indexes on its hot path, with the claim and partition indexes gone', async () => {
  folder = mkdtempSync(join(tmpdir(), 'keel-bus-indexes-'));
  const sqlite = new SqliteDatabase({ path: join(folder, 'keel.db') });
  await sqlite.migrate(busMigrations);
  const indexes = await sqlite.query<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'bus_messages' AND sql IS NOT NULL ORDER BY name",
  );
  expect(indexes.map((row) => row.name)).toEqual(['bus_messages_open_heads']);

  const { db, statements } = recording(sqlite);
  const clock = new FakeClock();
  const bus = new MessageBus({ db, clock, instanceId: 'plan' });
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  await bus.expireLeases('signals'); // as the engine does before it subscribes
  const done: string[] = [];
  bus.subscribe(
    'signals',
    async (message) => {
      if (message.id === 'slow') await held; // runs across a lease renewal
      done.push(message.id);
    },
    { leaseMs: 3_000 },
  );
  await bus.publish({ id: 'slow', topic: 'signals', partitionKey: 'BTCIRT', payload: {} });
  await bus.publish({ id: 'next', topic: 'signals', partitionKey: 'BTCIRT', payload: {} });
  await bus.publish({ id: 'other', topic: 'signals', partitionKey: 'ETHIRT', payload: {} });
  await vi.waitFor(() => expect(done).toEqual(['other']), { timeout: 10_000, interval: 5 });
  await clock.advance(1_000); // the renewal timer (leaseMs / 3)
  await vi.waitFor(
    () => expect([...statements].some((sql) => sql.includes('lease_until_ms = ? WHERE'))).toBe(true),
    {
      timeout: 10_000,
      interval: 5,
    },
  );
  release();
  await vi.waitFor(() => expect(done).toEqual(['other', 'slow', 'next']), { timeout: 10_000, interval: 5 });
  let stopped = false;
  const stopping = bus.stop(0).then(() => {
    stopped = true;
  });
  while (!stopped) await clock.advance(10);
  await stopping;

  const onMessages = [...statements].filter((sql) => /\bbus_messages\b/.test(sql) && !/^\s*INSERT/.test(sql));
  expect(onMessages.length).toBeGreaterThanOrEqual(6);
  for (const sql of onMessages) {
    const placeholders = sql.match(/\?/g)?.length ?? 0;
    const plan = await sqlite.query<{ detail: string }>(
      `EXPLAIN QUERY PLAN ${sql}`,
      Array.from({ length: placeholders }, () => 'x'),
    );
    const details = plan.map((row) => row.detail).join(' | ');
    expect(details, sql).not.toMatch(/SCAN bus_messages(?! USING)/);
    expect(details, sql).toMatch(/USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY/);
  }
  await sqlite.close();
});
