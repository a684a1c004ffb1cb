// Ledger throughput (postings per second, sequential, each one durable) on SQLite in a temp file and
// on PostgreSQL when reachable, and reconciliation time as the account count grows: the pure
// compareWallets for 1 000 / 10 000 / 100 000 currencies, and one real Reconciler run for 1 000.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from '../../src/core/decimal.js';
import { Ledger } from '../../src/position/ledger.js';
import { Reconciler } from '../../src/position/reconciliation.js';
import {
  compareWallets,
  type ExchangeWallet,
  type LedgerWallet,
} from '../../src/position/reconciliation-compare.js';
import type { Database } from '../../src/storage/database.js';
import { PostgresDatabase } from '../../src/storage/postgres-database.js';
import { SqliteDatabase } from '../../src/storage/sqlite-database.js';
import { type BenchRow, type BenchSuite, measure } from '../harness.js';

const SUITE = 'ledger';
const POSTINGS = 300;
const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
const COMPARE_SIZES = [1_000, 10_000, 100_000] as const;
const RECONCILER_ASSETS = 1_000;

/** Sequential postings per second; each run posts POSTINGS new externals. */
async function postingsPerSecond(database: Database): Promise<{ median: number; min: number; max: number }> {
  const ledger = await Ledger.open({ database });
  let run = 0;
  return measure(3, async () => {
    run++;
    const startedAt = performance.now();
    for (let i = 0; i < POSTINGS; i++)
      await ledger.postExternal({
        key: `bench:${run}:${i}`,
        asset: 'rls',
        amount: '1000',
        memo: 'bench deposit',
      });
    return POSTINGS / ((performance.now() - startedAt) / 1_000);
  });
}

async function sqliteRows(dir: string): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const synchronous of ['FULL', 'NORMAL'] as const) {
    const database = new SqliteDatabase({ path: join(dir, `ledger-${synchronous}.db`), synchronous });
    try {
      rows.push({
        suite: SUITE,
        name: `postings, SQLite temp file, synchronous ${synchronous}`,
        unit: 'postings/s',
        ...(await postingsPerSecond(database)),
      });
    } finally {
      await database.close();
    }
  }
  return rows;
}

async function postgresRow(): Promise<BenchRow> {
  const schema = `keel_bench_${Date.now()}`;
  const database = new PostgresDatabase({ url: POSTGRES_URL, schema, poolSize: 2, connectTimeoutMs: 2_000 });
  try {
    await database.ping();
  } catch (error) {
    await database.close().catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    return {
      suite: SUITE,
      name: `postings, PostgreSQL: not reachable (${reason.slice(0, 60)})`,
      unit: '',
      median: 0,
      min: 0,
      max: 0,
    };
  }
  try {
    return {
      suite: SUITE,
      name: 'postings, PostgreSQL (fresh schema)',
      unit: 'postings/s',
      ...(await postingsPerSecond(database)),
    };
  } finally {
    await database.execute(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await database.close();
  }
}

function wallets(count: number): {
  ledger: Map<string, LedgerWallet>;
  exchange: Map<string, ExchangeWallet>;
} {
  const ledger = new Map<string, LedgerWallet>();
  const exchange = new Map<string, ExchangeWallet>();
  for (let i = 0; i < count; i++) {
    const asset = `a${i}`;
    const total = new Decimal(`${i}.12345678`);
    ledger.set(asset, { total, blocked: new Decimal(0) });
    // Every tenth currency differs a little, so the comparison does real work on some rows.
    exchange.set(asset, {
      balance: i % 10 === 0 ? total.plus('0.00000001') : total,
      blocked: new Decimal(0),
    });
  }
  return { ledger, exchange };
}

async function compareRows(): Promise<BenchRow[]> {
  const tolerance = new Decimal('0.0000001');
  const results: { size: number; median: number; min: number; max: number }[] = [];
  for (const size of COMPARE_SIZES) {
    const input = { ...wallets(size), tolerance: () => tolerance };
    compareWallets(input); // warm-up: the first call pays for compilation
    const summary = await measure(size >= 100_000 ? 3 : 5, () => {
      const startedAt = performance.now();
      compareWallets(input);
      return performance.now() - startedAt;
    });
    results.push({ size, ...summary });
  }
  const smallest = results[0] as (typeof results)[number];
  return results.map((result) => {
    const perAccountRatio = result.median / result.size / (smallest.median / smallest.size);
    const largest = result.size === 100_000;
    return {
      suite: SUITE,
      name: `compareWallets ${result.size} accounts (${((result.median * 1_000) / result.size).toFixed(2)} µs/account)`,
      unit: 'ms',
      median: result.median,
      min: result.min,
      max: result.max,
      ratio: perAccountRatio,
      baseline: `per account vs ${smallest.size}`,
      ...(largest
        ? { target: '< 2000 ms, per-account ratio < 2', met: result.median < 2_000 && perAccountRatio < 2 }
        : {}),
    };
  });
}

async function reconcilerRow(dir: string): Promise<BenchRow> {
  const database = new SqliteDatabase({ path: join(dir, 'reconcile.db'), synchronous: 'NORMAL' });
  try {
    const ledger = await Ledger.open({ database });
    const exchange = new Map<string, ExchangeWallet>();
    for (let i = 0; i < RECONCILER_ASSETS; i++) {
      const asset = `a${i}`;
      await ledger.postOpening({ asset, available: `${i}.5`, blocked: '0' });
      exchange.set(asset, { balance: new Decimal(`${i}.5`), blocked: new Decimal(0) });
    }
    const reconciler = await Reconciler.create({ ledger, database, fetchWallets: async () => exchange });
    const summary = await measure(3, async () => {
      const startedAt = performance.now();
      const result = await reconciler.runOnce();
      if (result.status !== 'ok') throw new Error(`bench reconciliation ended ${result.status}`);
      return performance.now() - startedAt;
    });
    return {
      suite: SUITE,
      name: `Reconciler.runOnce ${RECONCILER_ASSETS} accounts (SQLite)`,
      unit: 'ms',
      ...summary,
    };
  } finally {
    await database.close();
  }
}

export const ledgerSuite: BenchSuite = {
  name: SUITE,
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'keel-bench-ledger-'));
    try {
      return [
        ...(await sqliteRows(dir)),
        await postgresRow(),
        ...(await compareRows()),
        await reconcilerRow(dir),
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
