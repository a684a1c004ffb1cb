// Runs the real `keel start` as a child process (tsx loader, cwd = repo root), reads its URL from the
// banner, posts webhooks over loopback with undici, kills it with SIGKILL, and inspects the SQLite
// database after the process died.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { SqliteDatabase } from '../../src/storage/sqlite-database.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PASSPHRASE = 'crash-test-passphrase-1';

export interface KeelProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
  /** Resolves with the exit code or signal once the process is gone. */
  readonly exited: Promise<string>;
}

export interface StartOptions {
  readonly dataDir: string;
  readonly configPath?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly startTimeoutMs?: number;
}

/** Spawns `keel start` and waits for the banner's dashboard URL. */
export async function startKeel(options: StartOptions): Promise<KeelProcess> {
  const args = ['--import', 'tsx', 'src/cli/run.ts', 'start'];
  if (options.configPath !== undefined) args.push('--config', options.configPath);
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      KEEL_ENV: 'test',
      KEEL_DATA_DIR: options.dataDir,
      KEEL_PORT: '0',
      KEEL_WEBHOOK_PASSPHRASE: PASSPHRASE,
      KEEL_LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? String(code)));
  });
  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  for (;;) {
    const match = /dashboard\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(text);
    if (match?.[1] !== undefined) return { child, url: match[1], output: () => text, exited };
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`keel exited before its banner:\n${text}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`no banner within the deadline:\n${text}`);
    }
    await pause(20);
  }
}

export async function killHard(keel: KeelProcess): Promise<void> {
  keel.child.kill('SIGKILL');
  await keel.exited;
}

export async function stopGracefully(keel: KeelProcess, timeoutMs = 15_000): Promise<string> {
  keel.child.kill('SIGTERM');
  const timer = setTimeout(() => keel.child.kill('SIGKILL'), timeoutMs);
  const how = await keel.exited;
  clearTimeout(timer);
  return how;
}

/** A real wait for an external process; never used to wait for our own timers. */
export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const dispatcher = new Agent({ connections: 32, keepAliveTimeout: 1_000, connectTimeout: 2_000 });

export interface WebhookAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** Posts one alert; undefined when the connection failed (the process died or was not there). */
export async function postWebhook(url: string, body: unknown): Promise<WebhookAnswer | undefined> {
  try {
    const response = await request(`${url}/webhooks/tradingview`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      dispatcher,
      headersTimeout: 5_000,
      bodyTimeout: 5_000,
    });
    const text = await response.body.text();
    return { status: response.statusCode, body: JSON.parse(text) as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

export async function getJson(url: string): Promise<unknown> {
  try {
    const response = await request(url, { dispatcher, headersTimeout: 3_000, bodyTimeout: 3_000 });
    const text = await response.body.text();
    return response.statusCode === 200 ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An alert of `amount` BTC (default 0.001). Campaigns vary the amount per alert: Nobitex refuses an
 * order identical to one placed in the last 10 s (DuplicateOrder), which would end most of them early.
 */
export function alertBody(id: string, side: 'buy' | 'sell', amount = '0.001'): Record<string, unknown> {
  return { passphrase: PASSPHRASE, symbol: 'BTCIRT', side, amount, id, strategy: 'crash' };
}

export interface OrderRow {
  readonly id: string;
  readonly signalId: string;
  readonly clientOrderId: string;
  readonly state: string;
}

export interface DbSnapshot {
  readonly signals: { id: string; state: string }[];
  readonly orders: { id: string; signal_id: string; client_order_id: string; state: string }[];
  readonly fills: { trade_id: string; order_id: string }[];
  readonly fillPostings: { trade_id: string; n: number }[];
  readonly assetSums: Map<string, bigint>;
}

/** Reads the invariant-relevant tables of a dead (or stopped) Keel's database. */
export async function snapshotDb(dataDir: string): Promise<DbSnapshot> {
  const db = new SqliteDatabase({ path: `${dataDir}/keel.db` });
  try {
    const signals = await db.query<{ id: string; state: string }>('SELECT id, state FROM signals');
    const orders = await db.query<{ id: string; signal_id: string; client_order_id: string; state: string }>(
      'SELECT id, signal_id, client_order_id, state FROM orders',
    );
    const fills = await db.query<{ trade_id: string; order_id: string }>(
      'SELECT trade_id, order_id FROM order_fills',
    );
    const fillPostings = await db.query<{ trade_id: string; n: number }>(
      'SELECT trade_id, COUNT(*) AS n FROM ledger_postings WHERE trade_id IS NOT NULL GROUP BY trade_id',
    );
    const entries = await db.query<{ asset: string; amount_minor: string }>(
      'SELECT asset, amount_minor FROM ledger_entries',
    );
    const assetSums = new Map<string, bigint>();
    for (const entry of entries)
      assetSums.set(entry.asset, (assetSums.get(entry.asset) ?? 0n) + BigInt(entry.amount_minor));
    return { signals, orders, fills, fillPostings, assetSums };
  } finally {
    await db.close();
  }
}
