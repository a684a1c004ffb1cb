// Goal: invariants 1, 3 and 5 hold across kill -9 of the real `keel start` in paper mode.
// Method: a seeded campaign of SIGKILLs (after a 202, with orders in flight, at random, during
// start-up recovery), restarts on the same data dir, a final clean run, then the database is read
// after the process is gone, including the paper exchange's state file: the ledger must equal it.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAPER_EXCHANGE_FILE } from '../../src/app/exchange-stack.js';
import { Decimal } from '../../src/core/decimal.js';
import { SIMULATOR_DEFAULT_TOKEN } from '../../src/exchange/simulator/index.js';
import { Ledger } from '../../src/position/ledger.js';
import { SqliteDatabase } from '../../src/storage/sqlite-database.js';
import { runCrashCampaign } from './crash-campaign.js';
import { expectJournalInvariants } from './crash-invariants.js';
import { snapshotDb } from './keel-process.js';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'keel-crash-paper-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('keel start in paper mode under kill -9', () => {
  it('loses no accepted signal, duplicates no order and keeps the ledger balanced across 10 kills', async () => {
    const configPath = join(dataDir, 'keel.config.json');
    await writeFile(
      configPath,
      JSON.stringify({
        nobitex: { connectTimeoutMs: 500, headersTimeoutMs: 1_000, bodyTimeoutMs: 1_000 },
        verification: {
          absenceGraceMs: 1_000,
          pollIntervalMs: 100,
          pollIntervalMaxMs: 500,
          verifyDeadlineMs: 8_000,
        },
        // Reconciliation runs at the end of the test, on the data left behind.
        reconciliation: { haltOnBreach: false },
      }),
    );
    const result = await runCrashCampaign({
      seed: 20261125,
      kills: 10,
      settleTimeoutMs: 45_000,
      start: { dataDir, configPath, env: { KEEL_SIM_SEED: '11' } },
    });
    expect(result.killPoints).toHaveLength(10);
    expect(new Set(result.killPoints).size).toBe(4);
    expect(result.accepted.size).toBeGreaterThan(10);
    expect(result.finalExit).toBe('0');
    const db = await snapshotDb(dataDir);
    // The paper exchange lives in the data folder, so every order the dead process had sent is still
    // there after a restart: every signal settles and no order stays open.
    expect(result.unsettled.slice(-900)).toBe('');
    expect(result.liveOrders).toEqual([]);
    expectJournalInvariants(result, db, new Set());
    expect(db.orders.length).toBeGreaterThan(0);
    // And the ledger equals the paper exchange's balances: nothing was lost or posted twice across kills.
    const exchange = JSON.parse(await readFile(join(dataDir, PAPER_EXCHANGE_FILE), 'utf8')) as {
      accounts: Record<string, Record<string, { balance: string }>>;
    };
    const database = new SqliteDatabase({ path: join(dataDir, 'keel.db') });
    try {
      const ledger = await Ledger.open({ database });
      for (const [asset, wallet] of Object.entries(exchange.accounts[SIMULATOR_DEFAULT_TOKEN] ?? {}))
        expect(`${asset} ${ledger.balances(asset).total.toFixed()}`).toBe(
          `${asset} ${new Decimal(wallet.balance).toFixed()}`,
        );
    } finally {
      await database.close();
    }
  }, 150_000);
});
