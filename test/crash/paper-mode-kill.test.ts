// Goal: invariants 1, 3 and 5 hold across kill -9 of the real `keel start` in paper mode.
// Method: a seeded campaign of SIGKILLs (after a 202, with orders in flight, at random, during
// start-up recovery), restarts on the same data dir, a final clean run, then the database is read
// after the process is gone. The paper simulator dies with the process, so only the journal can be
// checked here; the external-simulator test checks the exchange side.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
        // The fresh paper simulator never matches the ledger after a restart; halting would only reject.
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
    // Known limitation (reported): an order the dead paper simulator had accepted is unknown to the
    // fresh one; TransactionVerifier polls it by id forever, and the engine resumes it before taking
    // signals. Only such orders (accepted in an earlier run) may stay open; everything else settles.
    const lost = new Set(
      result.liveOrders
        .filter((order) => order.exchangeOrderId !== null && order.updatedAtMs < result.finalStartMs)
        .map((order) => order.id),
    );
    if (lost.size === 0) expect(result.unsettled.slice(-900)).toBe('');
    expect(result.liveOrders.filter((order) => !lost.has(order.id))).toEqual([]);
    expectJournalInvariants(result, db, lost);
    expect(db.orders.length).toBeGreaterThan(0);
  }, 150_000);
});
