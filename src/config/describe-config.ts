// Read-only views of a loaded config: the storage target, a redacted JSON dump, a one-line summary.
import { join } from 'node:path';
import type { KeelConfig } from './load-config.js';
import type { Secret } from './secret.js';
import { KEEL_VERSION } from './version.js';

export type DatabaseTarget =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: Secret };

/** Where the database lives: PostgreSQL when storage.databaseUrl is set, else SQLite in dataDir. */
export function databaseTarget(config: KeelConfig): DatabaseTarget {
  const url = config.storage.databaseUrl;
  return url === undefined
    ? { kind: 'sqlite', path: join(config.dataDir, 'keel.db') }
    : { kind: 'postgres', url };
}

/** Pretty JSON with every Secret as "[redacted]" (Secret.toJSON). */
export function configToJson(config: KeelConfig): string {
  return JSON.stringify(config, null, 2);
}

/** One line for startup logs and `keel start`; holds no secret. */
export function summarizeConfig(config: KeelConfig): string {
  const database = databaseTarget(config);
  const storage = database.kind === 'sqlite' ? `sqlite ${database.path}` : 'postgres';
  return [
    `keel ${KEEL_VERSION}`,
    `env=${config.env}`,
    `mode=${config.mode}`,
    `server=${config.server.host}:${config.server.port}`,
    `storage=${storage}`,
    `redis=${config.redis.url === undefined ? 'off' : 'on'}`,
    `exchange=${config.mode === 'paper' ? 'simulator' : config.nobitex.baseUrls.join(',')}`,
    `symbols=${config.engine.allowedSymbols?.length ?? 'all'}`,
    `instance=${config.cluster.instanceId}`,
  ].join(' ');
}
