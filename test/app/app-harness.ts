// Starts a whole Keel (paper mode, temp data dir, free port) for end-to-end tests, with config overrides.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { KeelApp, type KeelAppOptions } from '../../src/app/keel-app.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/logging/logger.js';
import type { Signal } from '../../src/market-data/signal.js';
import type { SignalIntake } from '../../src/market-data/signal-store.js';

export const PASSPHRASE = 'app-test-passphrase-0123';

/**
 * A market buy of 0.001 BTCIRT at `nowMs` as the signal store takes it, for a signal stored without
 * the webhook (an earlier version's row, a standby's backlog); `fields` adds to or replaces its fields.
 */
export function storedBuy(nowMs: number, dedupKey: string, fields: Partial<Signal> = {}): SignalIntake {
  return {
    signal: {
      symbol: 'BTCIRT',
      base: 'btc',
      quote: 'rls',
      side: 'buy',
      size: { kind: 'base', amount: '0.001' },
      order: { type: 'market' },
      alertAtMs: nowMs,
      alertTimeSource: 'received',
      receivedAtMs: nowMs,
      ...fields,
    },
    dedupKey,
    raw: '{}',
    sourceIp: undefined,
  };
}

export interface Harness {
  readonly app: KeelApp;
  readonly url: string;
  readonly dir: string;
  webhook(body: Record<string, unknown>): Promise<{ status: number; json: Record<string, unknown> }>;
  get(path: string): Promise<unknown>;
  waitFor<T>(
    probe: () => Promise<T | undefined> | T | undefined,
    what: string,
    timeoutMs?: number,
  ): Promise<T>;
  close(): Promise<void>;
}

export async function startHarness(
  overrides: Record<string, unknown> = {},
  env: Record<string, string> = {},
  appOptions: Pick<KeelAppOptions, 'spanExporter'> & {
    /** Runs once the app is built, before it starts (its engine takes nothing off the bus until then). */
    beforeStart?: (app: KeelApp) => Promise<void>;
  } = {},
): Promise<Harness> {
  const { beforeStart, ...createOptions } = appOptions;
  const dir = mkdtempSync(join(tmpdir(), 'keel-app-'));
  const configPath = join(dir, 'keel.config.json');
  writeFileSync(configPath, JSON.stringify(overrides));
  const loaded = loadConfig({
    env: {
      KEEL_ENV: 'test',
      KEEL_DATA_DIR: dir,
      KEEL_PORT: '0',
      KEEL_WEBHOOK_PASSPHRASE: PASSPHRASE,
      ...env,
    },
    cwd: dir,
    configPath,
  });
  if (!loaded.ok) throw new Error(`bad test config: ${JSON.stringify(loaded.problems)}`);
  const app = await KeelApp.create({ config: loaded.config, logger: silentLogger, ...createOptions });
  await beforeStart?.(app);
  const url = await app.start();
  const harness: Harness = {
    app,
    url,
    dir,
    async webhook(body) {
      const response = await request(`${url}/webhooks/tradingview`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ passphrase: PASSPHRASE, ...body }),
      });
      return { status: response.statusCode, json: (await response.body.json()) as Record<string, unknown> };
    },
    async get(path) {
      const response = await request(`${url}${path}`);
      return response.body.json();
    },
    async waitFor(probe, what, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await probe();
        if (value !== undefined && value !== false) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async close() {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await harness.waitFor(async () => app.ledger.assets().length > 0 || undefined, 'opening balances');
  await harness.waitFor(async () => (await app.health.readiness()).ready || undefined, 'start-up recovery');
  return harness;
}
