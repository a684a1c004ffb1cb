// Goal: a ledger killed with SIGKILL in the middle of posting leaves no partial posting set, reopens
// balanced, and posts no trade twice when the same fills are posted again.
// Method: a child process posts a deterministic script into a SQLite file until the parent kills it
// after some steps; the parent reopens the file, checks every stored posting, replays the script.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Ledger } from '../../src/position/ledger.js';
import { SqliteDatabase } from '../../src/storage/sqlite-database.js';
import { fundOnce, runStep } from './fixtures/crash-script.js';

const CHILD = join(import.meta.dirname, 'fixtures', 'ledger-crash-child.ts');
const STEPS_BEFORE_KILL = 25;

/** Starts the child and SIGKILLs it once it has reported `steps` steps; resolves with the last step seen. */
function runAndKill(path: string, steps: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lastStep = 0;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      for (const match of chunk.toString().matchAll(/step (\d+)/g)) lastStep = Number(match[1]);
      if (lastStep >= steps) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(lastStep);
      else reject(new Error(`child exited with ${code} before the kill: ${stderr.slice(0, 2_000)}`));
    });
  });
}

describe('ledger crash safety', () => {
  let folder: string;
  let db: SqliteDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('survives SIGKILL mid-posting: no partial set, balanced, each trade once after a replay', async () => {
    folder = mkdtempSync(join(tmpdir(), 'keel-ledger-crash-'));
    const path = join(folder, 'ledger.sqlite');
    const lastStep = await runAndKill(path, STEPS_BEFORE_KILL);
    expect(lastStep).toBeGreaterThanOrEqual(STEPS_BEFORE_KILL);

    db = new SqliteDatabase({ path });
    const ledger = await Ledger.open({ database: db }); // asserts every asset balances after load
    const entries = await db.query<{ posting_seq: number; asset: string; amount_minor: string }>(
      'SELECT posting_seq, asset, amount_minor FROM ledger_entries',
    );
    const postings = await db.query<{ seq: number }>('SELECT seq FROM ledger_postings');
    const sums = new Map<string, bigint>();
    const counts = new Map<number, number>();
    for (const entry of entries) {
      const key = `${entry.posting_seq}/${entry.asset}`;
      sums.set(key, (sums.get(key) ?? 0n) + BigInt(entry.amount_minor));
      counts.set(entry.posting_seq, (counts.get(entry.posting_seq) ?? 0) + 1);
    }
    expect([...sums.values()].every((sum) => sum === 0n)).toBe(true);
    expect(postings.every((posting) => (counts.get(posting.seq) ?? 0) >= 2)).toBe(true);
    for (const asset of ledger.assets()) expect(ledger.isBalanced(asset)).toBe(true);

    // Replay everything the child may have done, plus a few steps more.
    const replaySteps = lastStep + 5;
    await fundOnce(ledger);
    for (let step = 1; step <= replaySteps; step++) await runStep(ledger, step);
    const trades = await db.query<{ trade_id: string; n: number }>(
      'SELECT trade_id, COUNT(*) AS n FROM ledger_postings WHERE trade_id IS NOT NULL GROUP BY trade_id',
    );
    expect(trades).toHaveLength(replaySteps);
    expect(trades.every((row) => Number(row.n) === 1)).toBe(true);
    for (const asset of ledger.assets()) expect(ledger.isBalanced(asset)).toBe(true);
    await ledger.verifyAgainstStore();

    // The end state is exactly what an uninterrupted run produces.
    const clean = new SqliteDatabase({ path: ':memory:' });
    const reference = await Ledger.open({ database: clean });
    await fundOnce(reference);
    for (let step = 1; step <= replaySteps; step++) await runStep(reference, step);
    expect(ledger.accountSumsMinor()).toEqual(reference.accountSumsMinor());
    expect(ledger.positions()).toEqual(reference.positions());
    await clean.close();
  });
});
