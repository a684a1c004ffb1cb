// Goal: a commit that SQLite acknowledged survives kill -9 of the writing process.
// Method: a child process (node + tsx, the real SqliteDatabase) commits numbered rows and reports each
// commit on stdout; the test SIGKILLs it mid-stream, reopens the file and finds every reported row.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteDatabase } from '../../src/storage/sqlite-database.js';

const MODULE_URL = pathToFileURL(resolve('src/storage/sqlite-database.ts')).href;

const CHILD_SOURCE = `
import { SqliteDatabase } from ${JSON.stringify(MODULE_URL)};
const db = new SqliteDatabase({ path: process.argv[2], synchronous: process.argv[3] });
await db.migrate([{ id: 'crash-001', sql: 'CREATE TABLE rows (n BIGINT PRIMARY KEY, payload TEXT NOT NULL)' }]);
for (let n = 1; ; n++) {
  await db.transaction(async (tx) => {
    await tx.execute('INSERT INTO rows (n, payload) VALUES (?, ?)', [n, 'x'.repeat(200)]);
  });
  process.stdout.write('committed ' + n + '\\n');
}
`;

describe('SqliteDatabase crash safety', () => {
  let folder: string | undefined;
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  });

  it.each(['FULL', 'NORMAL'] as const)(
    'keeps every reported commit after SIGKILL (synchronous=%s)',
    async (synchronous) => {
      folder = mkdtempSync(join(tmpdir(), 'keel-crash-'));
      const script = join(folder, 'writer.mts');
      const path = join(folder, 'keel.db');
      writeFileSync(script, CHILD_SOURCE);
      const spawned = spawn(process.execPath, ['--import', 'tsx', script, path, synchronous], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = spawned;
      const lastReported = await killAfterCommits(spawned, 40);
      const db = new SqliteDatabase({ path });
      try {
        const [row] = await db.query<{ count: number; top: number }>(
          'SELECT COUNT(*) AS count, MAX(n) AS top FROM rows',
        );
        expect(row?.count).toBeGreaterThanOrEqual(lastReported);
        // No gaps: rows are 1..top, each committed whole.
        expect(row?.count).toBe(row?.top);
        expect(await db.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      } finally {
        await db.close();
      }
    },
  );
});

/** Resolves with the last commit number seen on stdout once the child is dead. */
function killAfterCommits(process: ChildProcess, commitsMin: number): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    let lastReported = 0;
    let stderr = '';
    let buffered = '';
    process.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    process.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const match = /^committed (\d+)$/.exec(line);
        if (match?.[1] !== undefined) lastReported = Number(match[1]);
      }
      if (lastReported >= commitsMin && process.exitCode === null && !process.killed) process.kill('SIGKILL');
    });
    process.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolvePromise(lastReported);
      else reject(new Error(`writer exited on its own (code ${code}): ${stderr}`));
    });
  });
}
