// A year of data: the same KeelApp (paper mode, SQLite FULL, engine HALTED so intake measures storing:
// each signal is refused in the commit that stores it; retention off so nothing leaves) started on an empty database and on a year-sized one (1 M signals
// and orders, 10 M audit rows; see support/year-database.ts). Measured on each: start-up until
// /readyz answers 200, webhook intake (autocannon, 50 connections, mean req/s over 10 s), `GET /api/orders` latency
// (sequential; the empty database holds one page of orders so both answers are 100 orders) and
// reconciliation runs. The first start on a cached database may also apply new
// migrations (an index on a year of rows), so start-up is judged on the median of three starts.
// Targets: intake and /api/orders within 1.5x of the empty database's figures; start-up under 5 s.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeelApp } from '../../src/app/keel-app.js';
import { loadConfig } from '../../src/config/index.js';
import { systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/logging/logger.js';
import { ArchiveWriter } from '../../src/retention/archive-writer.js';
import { RetentionRunner } from '../../src/retention/retention-runner.js';
import { SQLITE_FILE_NAME } from '../../src/storage/open-database.js';
import { SqliteDatabase } from '../../src/storage/sqlite-database.js';
import { type BenchRow, type BenchSuite, median, percentile, sleepMs, summarize } from '../harness.js';
import { autocannon } from '../support/autocannon.js';
import { BENCH_PASSPHRASE, webhookBody } from '../support/keel-app.js';
import { YEAR_EVENTS_PER_ORDER, YEAR_SIGNAL_COUNT, yearDatabase } from '../support/year-database.js';

const SUITE = 'year of data';
const WEBHOOK_PATH = '/webhooks/tradingview';
const INTAKE_DURATION_S = 10;
const INTAKE_CONNECTIONS = 50;
const ORDERS_REQUESTS = 200;
const ORDERS_PAGE = 100;
const RETENTION_ROWS = 10_000;
const RECONCILE_RUNS = 5;
const STARTUP_RUNS = 3;
const READY_WAIT_MAX_MS = 120_000;
const RATIO_MAX = 1.5;
const STARTUP_TARGET_MS = 5_000;

interface Figures {
  readonly startupMs: number[];
  readonly intakePerSecond: number;
  readonly intakeP99Ms: number;
  readonly ordersMs: number[];
  readonly reconcileMs: number[];
}

export const yearOfDataSuite: BenchSuite = {
  name: SUITE,
  async run() {
    const year = await yearDatabase(migrateAndSample);
    progress(year.generated ? `generated in ${year.generateMs} ms` : `reusing ${year.dataDir}`);
    const emptyDir = mkdtempSync(join(tmpdir(), 'keel-bench-empty-'));
    try {
      const empty = await measureOn(emptyDir, 'empty');
      const full = await measureOn(year.dataDir, 'year');
      const retention = await retentionRun(year.dataDir);
      progress(`year: retention run of ${RETENTION_ROWS} rows in ${retention.toFixed(0)} ms`);
      return [
        ...rowsOf(empty, full, year.generated ? year.generateMs : undefined),
        {
          suite: SUITE,
          name: `retention run archiving and deleting ${RETENTION_ROWS} audit rows (year database)`,
          unit: 'ms',
          median: retention,
          min: retention,
          max: retention,
        },
      ];
    } finally {
      rmSync(emptyDir, { recursive: true, force: true });
    }
  },
};

async function measureOn(dataDir: string, label: string): Promise<Figures> {
  const startupMs: number[] = [];
  for (let run = 0; run < STARTUP_RUNS; run++) {
    const started = await startApp(dataDir);
    startupMs.push(started.startupMs);
    progress(`${label}: started in ${started.startupMs.toFixed(0)} ms`);
    if (run < STARTUP_RUNS - 1) await started.app.stop();
    else
      try {
        // Reads first: intake leaves writes behind (bus, WAL checkpoints) that would disturb them.
        await ensureOnePage(started.app);
        const ordersMs = await timeEach(ORDERS_REQUESTS, () =>
          getOk(`${started.url}/api/orders?limit=${ORDERS_PAGE}`),
        );
        progress(`${label}: /api/orders median ${median(ordersMs).toFixed(2)} ms`);
        const reconcileMs = await timeEach(RECONCILE_RUNS, () => started.app.reconciliation.runNow());
        progress(`${label}: reconciliation median ${median(reconcileMs).toFixed(0)} ms`);
        const intake = await autocannon(`${started.url}${WEBHOOK_PATH}`, {
          connections: INTAKE_CONNECTIONS,
          durationS: INTAKE_DURATION_S,
          idPrefix: 'year',
        });
        progress(`${label}: intake ${intake.requests.average} req/s (${intake.requests.total} requests)`);
        return {
          startupMs,
          intakePerSecond: intake.requests.average,
          intakeP99Ms: intake.latency.p99,
          ordersMs,
          reconcileMs,
        };
      } finally {
        await started.app.stop();
      }
  }
  throw new Error('unreachable: the last start-up run returns');
}

const progress = (line: string): void => {
  process.stdout.write(`  ${SUITE}: ${line}\n`);
};

async function startApp(dataDir: string): Promise<{ app: KeelApp; url: string; startupMs: number }> {
  writeFileSync(
    join(dataDir, 'keel.config.json'),
    JSON.stringify({
      storage: { sqliteSynchronous: 'FULL' },
      engine: { initialMode: 'HALTED' },
      retention: { enabled: false },
    }),
  );
  const loaded = loadConfig({
    env: {
      KEEL_ENV: 'test',
      KEEL_DATA_DIR: dataDir,
      KEEL_PORT: '0',
      KEEL_HOST: '127.0.0.1',
      KEEL_WEBHOOK_PASSPHRASE: BENCH_PASSPHRASE,
      KEEL_LOG_LEVEL: 'error',
    },
    cwd: dataDir,
  });
  if (!loaded.ok) throw new Error(`bench config invalid: ${JSON.stringify(loaded.problems)}`);
  const startedAtMs = performance.now();
  const app = await KeelApp.create({ config: loaded.config, logger: silentLogger });
  const url = await app.start();
  const deadlineMs = startedAtMs + READY_WAIT_MAX_MS;
  while ((await fetch(`${url}/readyz`)).status !== 200) {
    if (performance.now() > deadlineMs) {
      await app.stop();
      throw new Error(`not ready within ${READY_WAIT_MAX_MS} ms`);
    }
    await sleepMs(5);
  }
  return { app, url, startupMs: performance.now() - startedAtMs };
}

/** Creates the schema with a real start, stores one signal, and returns its stored payload and raw body. */
async function migrateAndSample(dataDir: string): Promise<{ payload: string; raw: string }> {
  const { app, url } = await startApp(dataDir);
  try {
    const response = await fetch(`${url}${WEBHOOK_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: webhookBody('year-template'),
    });
    if (response.status !== 202) throw new Error(`template signal answered ${response.status}`);
    const [row] = await app.db.query<{ payload: string; raw: string }>(
      'SELECT payload, raw FROM signals LIMIT 1',
    );
    if (row === undefined) throw new Error('template signal not stored');
    await app.db.execute('DELETE FROM bus_messages');
    await app.db.execute('DELETE FROM signals');
    return { payload: String(row.payload), raw: String(row.raw) };
  } finally {
    await app.stop();
  }
}

/**
 * One bounded retention run on the year database (180-day horizons). It really deletes: each bench
 * run moves RETENTION_ROWS of the 10 M audit rows into `<dataDir>/archive`, a small drift.
 */
async function retentionRun(dataDir: string): Promise<number> {
  const db = new SqliteDatabase({ path: join(dataDir, SQLITE_FILE_NAME) });
  try {
    const runner = new RetentionRunner({
      db,
      archive: new ArchiveWriter(dataDir),
      clock: systemClock,
      logger: silentLogger,
      options: {
        keepDays: { signals: 3_650, audit: 180, alerts: 3_650, reconciliation: 3_650 },
        intervalMs: 3_600_000,
        rowsPerRunMax: RETENTION_ROWS,
        batchRows: 1_000,
      },
    });
    const startedAtMs = performance.now();
    const report = await runner.runOnce();
    const elapsedMs = performance.now() - startedAtMs;
    if (report.deleted.order_events !== RETENTION_ROWS)
      throw new Error(
        `retention deleted ${JSON.stringify(report.deleted)}, expected ${RETENTION_ROWS} audit rows`,
      );
    return elapsedMs;
  } finally {
    await db.close();
  }
}

/**
 * The empty database gets one page of finished orders, so /api/orders answers the same 100 orders on
 * both databases and the comparison measures the year's weight, not an empty answer.
 */
async function ensureOnePage(app: KeelApp): Promise<void> {
  const [row] = await app.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM orders');
  for (let index = Number(row?.n ?? 0); index < ORDERS_PAGE; index++)
    await app.db.execute(
      `INSERT INTO orders (id, signal_id, client_order_id, exchange_order_id, base, quote, side, execution, amount,
         price, state, filled_amount, average_price, fee, submit_count, reject_code, last_error, created_at_ms,
         updated_at_ms) VALUES (?, ?, ?, ?, 'btc', 'rls', 'buy', 'market', '0.0001', NULL, 'FILLED', '0.0001',
         '6000000000', '0.0000001', 1, NULL, NULL, ?, ?)`,
      [`page-${index}`, `page-signal-${index}`, `page-${index}`, String(index), Date.now(), Date.now()],
    );
}

async function getOk(url: string): Promise<void> {
  const response = await fetch(url);
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
}

async function timeEach(count: number, fn: () => Promise<unknown>): Promise<number[]> {
  await fn(); // warm-up: statement caches and JIT
  const times: number[] = [];
  for (let index = 0; index < count; index++) {
    const startedAtMs = performance.now();
    await fn();
    times.push(performance.now() - startedAtMs);
  }
  return times;
}

function rowsOf(empty: Figures, year: Figures, generateMs: number | undefined): BenchRow[] {
  const size = `${YEAR_SIGNAL_COUNT / 1e6} M signals, ${(YEAR_SIGNAL_COUNT * YEAR_EVENTS_PER_ORDER) / 1e6} M audit rows`;
  const intakeRatio = empty.intakePerSecond / Math.max(year.intakePerSecond, 1);
  const ordersRatio = median(year.ordersMs) / median(empty.ordersMs);
  const reconcileRatio = median(year.reconcileMs) / median(empty.reconcileMs);
  const point = (value: number) => ({ median: value, min: value, max: value });
  return [
    ...(generateMs === undefined
      ? []
      : [{ suite: SUITE, name: `generating the year database (${size})`, unit: 'ms', ...point(generateMs) }]),
    { suite: SUITE, name: 'start-up to ready, empty database', unit: 'ms', ...summarize(empty.startupMs) },
    {
      suite: SUITE,
      name: `start-up to ready, year database (${size})`,
      unit: 'ms',
      ...summarize(year.startupMs),
      target: `< ${STARTUP_TARGET_MS} ms`,
      met: median(year.startupMs) < STARTUP_TARGET_MS,
    },
    { suite: SUITE, name: 'intake req/s, empty database', unit: 'req/s', ...point(empty.intakePerSecond) },
    {
      suite: SUITE,
      name: `intake req/s, year database (p99 ${year.intakeP99Ms} ms vs ${empty.intakeP99Ms} ms empty)`,
      unit: 'req/s',
      ...point(year.intakePerSecond),
      ratio: intakeRatio,
      baseline: 'empty req/s over year req/s',
      target: `<= ${RATIO_MAX}x`,
      met: intakeRatio <= RATIO_MAX,
    },
    {
      suite: SUITE,
      name: 'GET /api/orders?limit=100, empty database',
      unit: 'ms',
      ...summarize(empty.ordersMs),
    },
    {
      suite: SUITE,
      name: `GET /api/orders?limit=100, year database (p99 ${percentile(year.ordersMs, 0.99).toFixed(2)} ms)`,
      unit: 'ms',
      ...summarize(year.ordersMs),
      ratio: ordersRatio,
      baseline: 'vs empty database',
      target: `<= ${RATIO_MAX}x`,
      met: ordersRatio <= RATIO_MAX,
    },
    { suite: SUITE, name: 'reconciliation run, empty database', unit: 'ms', ...summarize(empty.reconcileMs) },
    {
      suite: SUITE,
      name: 'reconciliation run, year database',
      unit: 'ms',
      ...summarize(year.reconcileMs),
      ratio: reconcileRatio,
      baseline: 'vs empty database',
    },
  ];
}
