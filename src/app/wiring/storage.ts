// The database every stage writes to, opened from the config and brought up to the current schema.
import { busMigrations } from '../../bus/index.js';
import type { KeelConfig } from '../../config/index.js';
import { killSwitchMigrations } from '../../engine/kill-switch.js';
import { OrderJournal } from '../../exchange/order-journal/order-journal.js';
import { alertMigrations } from '../../monitoring/alert-system/alert-store.js';
import type { Database } from '../../storage/database.js';
import { openDatabase } from '../../storage/open-database.js';
import { PostgresDatabase } from '../../storage/postgres-database.js';

/** Opens the database and runs the migrations of the bus, journal, kill switch and alerts. */
export async function openStorage(config: KeelConfig, closers: (() => Promise<void>)[]): Promise<Database> {
  const db = openAppDatabase(config);
  closers.push(() => db.close());
  await db.migrate([
    ...busMigrations,
    ...OrderJournal.migrations,
    ...killSwitchMigrations,
    ...alertMigrations,
  ]);
  return db;
}

function openAppDatabase(config: KeelConfig): Database {
  const target = storageSettings(config);
  return target.kind === 'postgres' ? new PostgresDatabase(target.options) : openDatabase(target.options);
}

/** Which database the app opens: PostgreSQL in a schema of its own, or the default the settings name. */
export function storageSettings(config: KeelConfig) {
  const url = config.storage.databaseUrl?.reveal();
  const schema = config.storage.databaseSchema;
  if (url !== undefined && schema !== undefined)
    return { kind: 'postgres' as const, options: { url, schema } };
  return {
    kind: 'default' as const,
    options: {
      dataDir: config.dataDir,
      sqliteSynchronous: config.storage.sqliteSynchronous,
      ...(url === undefined ? {} : { databaseUrl: url }),
    },
  };
}
