// Starts one Keel instance for the demo: paper mode on the built-in simulator, a temp data dir, a
// config file with short timings (breakers, absence grace, alert grouping), JSON logs to a file.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { KeelApp } from '../../src/app/keel-app.js';
import { formatProblem, loadConfig } from '../../src/config/index.js';
import type { Simulator } from '../../src/exchange/simulator/index.js';
import { createLogger } from '../../src/logging/create-logger.js';

/** Known secret values to run with, so a scan can look for them afterwards. */
export interface DemoSecrets {
  readonly passphrase?: string;
  readonly dashboardToken?: string;
}

export interface DemoTimings {
  /** How long an open breaker waits before a probe, ms. */
  readonly breakDurationMs: number;
  /** How long an order missing from the exchange waits before it counts as absent, ms. */
  readonly absenceGraceMs: number;
  /** The back-off the rate-limit storm asks for, seconds. */
  readonly backOffSeconds: number;
  /** How long the outage stays after the breaker opened, ms. */
  readonly outageHoldMs: number;
}

export const TIMINGS: Readonly<Record<'full' | 'quick', DemoTimings>> = {
  full: { breakDurationMs: 5_000, absenceGraceMs: 2_500, backOffSeconds: 3, outageHoldMs: 4_000 },
  // The break stays 5 s in quick mode too: shorter breaks mean more failed probes, each spending wallet budget.
  quick: { breakDurationMs: 5_000, absenceGraceMs: 2_000, backOffSeconds: 2, outageHoldMs: 2_000 },
};

export interface DemoApp {
  readonly app: KeelApp;
  readonly simulator: Simulator;
  readonly baseUrl: string;
  readonly dataDir: string;
  readonly logPath: string;
  readonly passphrase: string;
  readonly dashboardToken: string | undefined;
  /** Stops Keel and the simulator, then closes the log file; idempotent. */
  close(): Promise<void>;
}

export async function startDemoApp(options: {
  timings: DemoTimings;
  secrets?: DemoSecrets;
}): Promise<DemoApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keel-demo-'));
  const configPath = join(dataDir, 'demo.config.json');
  const logPath = join(dataDir, 'demo.log');
  writeFileSync(configPath, JSON.stringify(demoConfig(options.timings), null, 2));
  const passphrase = options.secrets?.passphrase ?? `demo-${randomBytes(12).toString('hex')}`;
  const dashboardToken = options.secrets?.dashboardToken;
  const loaded = loadConfig({
    cwd: dataDir,
    configPath,
    env: {
      KEEL_ENV: 'test',
      KEEL_MODE: 'paper',
      KEEL_HOST: '127.0.0.1',
      KEEL_PORT: '0',
      KEEL_DATA_DIR: dataDir,
      KEEL_WEBHOOK_PASSPHRASE: passphrase,
      ...(dashboardToken === undefined ? {} : { KEEL_DASHBOARD_TOKEN: dashboardToken }),
    },
  });
  if (!loaded.ok) throw new Error(`demo config rejected: ${loaded.problems.map(formatProblem).join('; ')}`);
  const destination = pino.destination({ dest: logPath, sync: true, mkdir: true });
  const logger = createLogger({ level: 'info', stream: destination, base: { demo: 'high-reliability' } });
  const closeLog = () => {
    logger.flush();
    destination.end();
  };
  let app: KeelApp;
  try {
    app = await KeelApp.create({ config: loaded.config, logger });
  } catch (error) {
    closeLog();
    throw error;
  }
  const simulator = app.exchange.simulator;
  let baseUrl: string;
  try {
    if (simulator === undefined) throw new Error('paper mode has no simulator');
    baseUrl = await app.start();
  } catch (error) {
    await app.stop();
    closeLog();
    throw error;
  }
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= app.stop().finally(closeLog);
    return closed;
  };
  return { app, simulator, baseUrl, dataDir, logPath, passphrase, dashboardToken, close };
}

function demoConfig(timings: DemoTimings): Record<string, unknown> {
  const breaker = {
    failureThreshold: 2,
    breakDurationMs: timings.breakDurationMs,
    // No growth after failed probes: the demo's outage is short and its recovery should be prompt.
    breakDurationMaxMs: timings.breakDurationMs,
    halfOpenProbesMax: 1,
  };
  return {
    server: { host: '127.0.0.1', port: 0, shutdownGraceMs: 2_000 },
    nobitex: {
      connectTimeoutMs: 1_000,
      headersTimeoutMs: 1_000,
      bodyTimeoutMs: 1_000,
      breaker: { orders: breaker, account: breaker, marketData: breaker },
      // Every attempt spends rate budget, and wallets allow 20 calls per 2 minutes: during the outage
      // the breaker, not retries, is the point.
      retry: { attemptsMax: 1, delayInitialMs: 100, delayMaxMs: 400 },
      cache: { marketDataTtlMs: 500 },
    },
    engine: { maxOrdersPerMinute: 60 },
    verification: { absenceGraceMs: timings.absenceGraceMs, pollIntervalMs: 200, pollIntervalMaxMs: 1_000 },
    // Each run reads the wallets, whose budget is 20 calls per 2 minutes: a few runs are enough.
    reconciliation: { intervalMs: 30_000 },
    alerts: { groupWaitMs: 200, groupIntervalMs: 2_000, dedupWindowMs: 60_000 },
    logging: { level: 'info' },
    simulator: { seed: 7 },
  };
}
