// Shared pieces of the cluster tests: service probes (PostgreSQL, Redis), a fresh schema and key
// prefix per test, Keel instances as real child processes (`node --import tsx src/cli/run.ts start`)
// against one external simulator, and polling helpers with finite deadlines.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { SIMULATOR_DEFAULT_TOKEN } from '../../src/exchange/simulator/index.js';

export const TEST_DATABASE_URL =
  process.env['KEEL_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env['KEEL_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
export const PASSPHRASE = 'cluster-pass-phrase-123';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const runScript = join(repoRoot, 'src/cli/run.ts');
const tsxLoader = pathToFileURL(join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href;

/** Undefined when both services answer; otherwise why not. */
export async function unreachableServices(redisUrl = TEST_REDIS_URL): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    return `PostgreSQL at ${TEST_DATABASE_URL} unreachable: ${messageOf(error)}`;
  } finally {
    await client.end().catch(() => undefined);
  }
  const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    return `Redis at ${redisUrl} unreachable: ${messageOf(error)}`;
  } finally {
    redis.disconnect();
  }
  return undefined;
}

/** CI=true: a missing service fails the test; elsewhere the test passes and says why it did nothing. */
export function reportUnreachable(reason: string): void {
  if (process.env['CI'] === 'true') throw new Error(`${reason} (CI=true requires PostgreSQL and Redis)`);
  console.warn(`SKIPPED cluster test: ${reason}`);
}

export function freshSchema(): string {
  return `keel_cluster_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

export async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { connectTimeout: 2_000, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

export interface Instance {
  readonly id: string;
  readonly url: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  /** Everything the process wrote to stderr, for failure messages. */
  stderr(): string;
}

export interface InstanceSettings {
  readonly id: string;
  readonly simulatorUrl: string;
  readonly schema: string;
  readonly redisUrl: string;
  readonly keyPrefix: string;
  readonly leaseTtlMs: number;
  readonly leaseRenewIntervalMs: number;
  readonly expectedInstances: number;
  /** More of the config file (top-level sections), e.g. alert channels. */
  readonly config?: Record<string, unknown>;
}

/** Starts one instance and resolves with its URL once the banner is printed. */
export async function startInstance(settings: InstanceSettings, cleanup: (() => Promise<void>)[]) {
  const dataDir = mkdtempSync(join(tmpdir(), `keel-cluster-${settings.id}-`));
  const configPath = join(dataDir, 'keel.config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      engine: { maxOrdersPerMinute: 600 },
      verification: { absenceGraceMs: 1_000, pollIntervalMs: 200, pollIntervalMaxMs: 1_000 },
      // One orders request must fit in what the lease has left between renewals (ttl - renew interval).
      nobitex: { headersTimeoutMs: 2_000, ordersTimeoutMs: 1_500 },
      ...settings.config,
    }),
  );
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    KEEL_ENV: 'test',
    KEEL_MODE: 'live',
    KEEL_NOBITEX_BASE_URL: settings.simulatorUrl,
    KEEL_NOBITEX_TOKEN: SIMULATOR_DEFAULT_TOKEN,
    KEEL_DATA_DIR: dataDir,
    KEEL_PORT: '0',
    KEEL_HOST: '127.0.0.1',
    KEEL_WEBHOOK_PASSPHRASE: PASSPHRASE,
    KEEL_DATABASE_URL: TEST_DATABASE_URL,
    KEEL_DATABASE_SCHEMA: settings.schema,
    KEEL_REDIS_URL: settings.redisUrl,
    KEEL_REDIS_KEY_PREFIX: settings.keyPrefix,
    KEEL_INSTANCE_ID: settings.id,
    KEEL_LEASE_TTL_MS: String(settings.leaseTtlMs),
    KEEL_LEASE_RENEW_INTERVAL_MS: String(settings.leaseRenewIntervalMs),
    KEEL_EXPECTED_INSTANCES: String(settings.expectedInstances),
    KEEL_LOG_LEVEL: 'warn',
  };
  const child = spawn(process.execPath, ['--import', tsxLoader, runScript, 'start', '--config', configPath], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanup.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${settings.id} did not start: ${stderr}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /dashboard\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${settings.id} exited with ${code} before listening: ${stderr}`));
    });
  });
  const instance: Instance = { id: settings.id, url, child, exited, stderr: () => stderr };
  return instance;
}

export interface ClusterViewJson {
  instanceId: string;
  leader: boolean;
  leaderId: string | null;
  token: number;
  rateLimits: 'shared' | 'local' | null;
  breakers: 'shared' | 'local' | null;
}

export async function clusterView(instance: Instance): Promise<ClusterViewJson> {
  const response = await fetch(`${instance.url}/api/cluster`, { signal: AbortSignal.timeout(3_000) });
  if (!response.ok) throw new Error(`${instance.id} /api/cluster answered ${response.status}`);
  return (await response.json()) as ClusterViewJson;
}

/** POSTs one alert; the status code, or undefined when the instance does not answer. */
export async function sendSignal(
  instance: Instance,
  body: Record<string, string>,
): Promise<number | undefined> {
  try {
    const response = await fetch(`${instance.url}/webhooks/tradingview`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ passphrase: PASSPHRASE, ...body }),
      signal: AbortSignal.timeout(5_000),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return undefined;
  }
}

/** Polls until `check` returns a value (not undefined); throws `what` with the last value at the deadline. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${messageOf(lastError)}` : ''}`,
  );
}

export async function runCleanup(cleanup: (() => Promise<void>)[]): Promise<void> {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
