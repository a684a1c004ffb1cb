// Starts a real KeelApp for a bench: paper mode, test profile, a temp data dir, free ports, and a
// keel.config.json with the bench's overrides. stop() stops the app and removes the directory.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeelApp } from '../../src/app/keel-app.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/logging/logger.js';

export const BENCH_PASSPHRASE = 'pass-phrase-123';

export interface StartedApp {
  readonly app: KeelApp;
  /** Base URL of the webhook/dashboard server, e.g. http://127.0.0.1:PORT */
  readonly url: string;
  stop(): Promise<void>;
}

export interface CreatedApp {
  readonly app: KeelApp;
  /** Listens and starts trading (the engine takes signals); returns the webhook's base URL. */
  start(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A KeelApp not yet started: its engine takes nothing off the bus until start(), so a bench can
 * store a backlog first. `overrides` is written as keel.config.json (any config section).
 */
export async function createBenchApp(overrides: Record<string, unknown> = {}): Promise<CreatedApp> {
  const dir = mkdtempSync(join(tmpdir(), 'keel-bench-app-'));
  writeFileSync(join(dir, 'keel.config.json'), JSON.stringify(overrides));
  const loaded = loadConfig({
    env: {
      KEEL_ENV: 'test',
      KEEL_DATA_DIR: dir,
      KEEL_PORT: '0',
      KEEL_HOST: '127.0.0.1',
      KEEL_WEBHOOK_PASSPHRASE: BENCH_PASSPHRASE,
      KEEL_LOG_LEVEL: 'error',
    },
    cwd: dir,
  });
  if (!loaded.ok) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`bench config invalid: ${JSON.stringify(loaded.problems)}`);
  }
  const app = await KeelApp.create({ config: loaded.config, logger: silentLogger });
  return {
    app,
    start: () => app.start(),
    async stop() {
      try {
        await app.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** `overrides` is written as keel.config.json (any config section, e.g. { engine: { ... } }). */
export async function startBenchApp(overrides: Record<string, unknown> = {}): Promise<StartedApp> {
  const created = await createBenchApp(overrides);
  let url: string;
  try {
    url = await created.start();
  } catch (error) {
    await created.stop();
    throw error;
  }
  return { app: created.app, url, stop: created.stop };
}

/**
 * A valid market-buy webhook body; `id` makes each one distinct (and its dedup key). Give distinct
 * amounts to signals meant to trade within 10 s: the exchange refuses a same-size order as a duplicate.
 */
export function webhookBody(id: string, amount = '0.0001'): string {
  return JSON.stringify({ passphrase: BENCH_PASSPHRASE, symbol: 'BTCIRT', side: 'buy', amount, id });
}

/** Distinct BTC amounts on the 0.000001 step: 0.000100, 0.000101, … */
export const distinctAmount = (index: number): string => ((100 + index) / 1_000_000).toFixed(6);
