// Goal (issue 15, last "done when"): with the issue's config file, `keel start` (paper mode) delivers the
// critical alert raised by `keel engine mode HALTED test` to the fake Bot API at BOT_URL through the
// proxy at PROXY_URL. Method: a real `keel start` process in a temp directory whose keel.config.json is
// the issue's text with BOT_URL and PROXY_URL filled in; the CLI command runs in-process against it.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/context.js';
import { main } from '../../src/cli/main.js';
import { FakeBotApi } from '../support/fake-bot-api.js';
import { startHttpProxy, type TestProxy } from '../support/proxies.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tsxLoader = pathToFileURL(join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href;
const runScript = join(repoRoot, 'src/cli/run.ts');

/** The config file of the issue, word for word, before BOT_URL and PROXY_URL are filled in. */
const ISSUE_CONFIG = `{"alerts": {"groupWaitMs": 1, "routes": {"critical": ["ops"]}, "channels": {"ops": {"kind": "bale",
  "botToken": "123:abc", "chatIds": ["42"], "apiBaseUrl": "BOT_URL", "proxy": "PROXY_URL"}}}}`;

async function until<T>(probe: () => T | undefined, what: string, output: () => string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('keel start with a Bale channel behind a proxy', () => {
  let cwd: string;
  let child: ChildProcessWithoutNullStreams | undefined;
  let api: FakeBotApi | undefined;
  let proxy: TestProxy | undefined;
  afterEach(async () => {
    child?.kill('SIGKILL');
    await proxy?.close();
    await api?.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('delivers the critical alert of keel engine mode HALTED to BOT_URL through PROXY_URL', async () => {
    cwd = mkdtempSync(join(tmpdir(), 'keel-bale-'));
    api = await FakeBotApi.start();
    proxy = await startHttpProxy();
    writeFileSync(
      join(cwd, 'keel.config.json'),
      ISSUE_CONFIG.replace('BOT_URL', api.url).replace('PROXY_URL', proxy.url),
    );
    child = spawn(process.execPath, ['--import', tsxLoader, runScript, 'start'], {
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
    const url = await until(
      () => /dashboard\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(out)?.[1],
      'the start banner',
      () => out,
    );

    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
      env: {},
      cwd,
    };
    const code = await main(['node', 'keel', 'engine', 'mode', 'HALTED', 'test', '--url', url], io);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('HALTED');

    const delivered = await until(
      () => api?.messagesTo('42', '123:abc').find((text) => text.includes('engine HALTED')),
      'the alert at the fake Bot API',
      () => out,
    );
    expect(delivered).toContain('[CRITICAL]');
    expect(delivered).toContain('engine HALTED (operator: test)');
    expect(proxy.visits.map((visit) => visit.target)).toContain(new URL(api.url).host);
    expect(api.calls).toContain('123:abc sendMessage');
  });
});
