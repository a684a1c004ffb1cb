// Goal (issue 5): `keel start` as a real process prints a ready-to-paste curl; sending it gives a filled
// order in GET /api/orders within seconds; SIGTERM stops it cleanly; a second start on the same data
// resumes where the first stopped. Method: spawn the CLI with the tsx loader in a temp working dir.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tsxLoader = pathToFileURL(join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href;
const runScript = join(repoRoot, 'src/cli/run.ts');

interface Started {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  readonly curl: string;
  stdout(): string;
}

function startKeel(cwd: string): Promise<Started> {
  const child = spawn(process.execPath, ['--import', tsxLoader, runScript, 'start'], {
    cwd,
    env: { PATH: process.env.PATH ?? '', KEEL_ENV: 'test', KEEL_PORT: '0', KEEL_LOG_LEVEL: 'warn' },
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`keel start printed no banner:\n${out}`)), 30_000);
    const check = () => {
      const url = /dashboard\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(out)?.[1];
      const curl = /^\s*(curl -sS -X POST .*)$/m.exec(out)?.[1];
      if (url !== undefined && curl !== undefined) {
        clearTimeout(timer);
        child.stdout.off('data', check);
        resolve({ child, url, curl, stdout: () => out });
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => reject(new Error(`keel start exited with ${code}:\n${out}`)));
  });
}

/** Runs the printed curl's request with undici: same URL, headers and body. */
async function sendPrintedCurl(curl: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = /-X POST (\S+)/.exec(curl)?.[1];
  const body = /-d '(.*)'$/.exec(curl)?.[1];
  expect(url).toBeDefined();
  expect(body).toBeDefined();
  const response = await request(url as string, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body as string,
  });
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
}

async function orders(url: string): Promise<{ signalId: string; state: string }[]> {
  const response = await request(`${url}/api/orders`);
  return (await response.body.json()) as { signalId: string; state: string }[];
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const exited = (child: ChildProcessWithoutNullStreams) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

describe('keel start', () => {
  let cwd: string;
  let running: Started | undefined;
  afterEach(() => {
    running?.child.kill('SIGKILL');
    rmSync(cwd, { recursive: true, force: true });
  });

  it('fills the order of the printed curl, stops on SIGTERM, and resumes on the next start', async () => {
    cwd = mkdtempSync(join(tmpdir(), 'keel-start-'));
    running = await startKeel(cwd);
    const sent = await sendPrintedCurl(running.curl);
    expect(sent.status).toBe(202);
    const signalId = String(sent.body.signalId);
    const filled = await until(async () => {
      const order = (await orders((running as Started).url)).find(
        (candidate) => candidate.signalId === signalId,
      );
      return order?.state === 'FILLED' ? order : undefined;
    }, 'a filled order');
    expect(filled.state).toBe('FILLED');

    running.child.kill('SIGTERM');
    expect(await exited(running.child)).toBe(0);

    running = await startKeel(cwd);
    const after = await orders(running.url);
    expect(after.filter((order) => order.signalId === signalId)).toHaveLength(1);
    // The paper exchange kept the account across the restart: the books still match it.
    const reconciled = await request(`${running.url}/api/reconcile`, {
      method: 'POST',
      headers: { 'x-keel-request': 'test' },
    });
    const result = (await reconciled.body.json()) as {
      status: string;
      summary: { breachCount: number; correctedCount: number };
    };
    expect(result.status).toBe('ok');
    expect(result.summary).toMatchObject({ breachCount: 0, correctedCount: 0 });
    const again = await sendPrintedCurl(running.curl);
    expect(again.status).toBe(202);
    running.child.kill('SIGTERM');
    expect(await exited(running.child)).toBe(0);
  });
});
