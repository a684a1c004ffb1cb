// The bus table. `seq` orders messages of one partition key; it differs per dialect because only
// PostgreSQL has sequences and only SQLite's rowid alias auto-increments a non-key integer cheaply.
import type { Migration } from '../storage/database.js';

const COLUMNS = `
  topic TEXT NOT NULL,
  partition_key TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'processing', 'done', 'quarantined')),
  attempts BIGINT NOT NULL,
  available_at_ms BIGINT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  last_error TEXT,
  lease_owner TEXT,
  lease_until_ms BIGINT`;

const INDEXES = `;
  CREATE INDEX bus_messages_claim ON bus_messages (topic, state, available_at_ms);
  CREATE INDEX bus_messages_partition ON bus_messages (topic, partition_key, seq)`;

export const busMigrations: readonly Migration[] = [
  {
    id: 'bus-001-messages',
    sql: {
      sqlite: `CREATE TABLE bus_messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, ${COLUMNS})${INDEXES}`,
      postgres: `CREATE TABLE bus_messages (id TEXT PRIMARY KEY, seq BIGSERIAL NOT NULL UNIQUE, ${COLUMNS})${INDEXES}`,
    },
  },
  {
    // The claim query's heads: the open messages of a topic by state and key, without the done ones.
    id: 'bus-002-open-heads',
    sql: 'CREATE INDEX bus_messages_open_heads ON bus_messages (topic, state, partition_key, seq)',
  },
  {
    // The open-heads index serves every query the claim and partition indexes served (the claim on
    // both dialects, lease expiry, the admin's counts): two index trees fewer to write per publish,
    // claim and settle.
    id: 'bus-003-drop-redundant-indexes',
    sql: 'DROP INDEX IF EXISTS bus_messages_claim; DROP INDEX IF EXISTS bus_messages_partition',
  },
];
