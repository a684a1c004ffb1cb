// Goal: `keel config check` exits 0 and prints the redacted effective config for a good file, and exits 1
// listing every problem for a bad one. Method: spawn `node --import tsx src/cli/run.ts` in a temp cwd
// (tsx resolved from this repo, since the temp dir has no node_modules) with a minimal environment.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const runScript = join(repoRoot, 'src/cli/run.ts');
const tsxLoader = pathToFileURL(join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href;

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'keel-cli-'));
});
afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

function keel(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['--import', tsxLoader, runScript, ...args], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const writeConfig = (name: string, value: unknown) => writeFileSync(join(cwd, name), JSON.stringify(value));

describe('keel config check', () => {
  it('prints the effective config with secrets redacted and exits 0 for a good file', () => {
    writeConfig('good.json', {
      env: 'production',
      server: { port: 9001, operatorPort: 9002 },
      webhook: { passphrase: 'FILE-SECRET-passphrase-0123456789' },
      alerts: { channels: { telegram: { botToken: 'FILE-SECRET-bot', chatIds: ['42'] } } },
    });
    const run = keel(['config', 'check', '--config', 'good.json'], {
      KEEL_NOBITEX_TOKEN: 'ENV-SECRET-token',
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as {
      env: string;
      server: { port: number };
      webhook: { passphrase: string };
      nobitex: { token: string };
      alerts: { channels: { telegram: { botToken: string } } };
    };
    expect(printed.env).toBe('production');
    expect(printed.server.port).toBe(9001);
    expect(printed.webhook.passphrase).toBe('[redacted]');
    expect(printed.nobitex.token).toBe('[redacted]');
    expect(printed.alerts.channels.telegram.botToken).toBe('[redacted]');
    expect(run.stdout).not.toContain('SECRET');
  });

  it('lists every problem, one per line with its source, and exits 1 for a bad file', () => {
    writeConfig('bad.json', {
      env: 'production',
      server: { port: 'abc', hots: '0.0.0.0' },
      nobitex: { connectTimeoutMs: -5, token: '' },
      webhook: { hmacSecret: 12345 },
      verification: { pollIntervalMs: 'fast' },
    });
    const run = keel(['config', 'check', '--config', 'bad.json'], { KEEL_WEBHOOK_IP_ALLOW_LIST: 'perhaps' });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).toBe('keel: the configuration has 7 problems:');
    expect(lines.slice(1).sort()).toEqual(
      [
        'server.port: expected integer 0..65535, got "abc" (file)',
        'server.hots: expected no such key (did you mean "host"?), got a string (file)',
        'nobitex.connectTimeoutMs: expected positive integer, got -5 (file)',
        'nobitex.token: expected non-empty string (secret), got [redacted] (file)',
        'webhook.hmacSecret: expected non-empty string (secret), got [redacted] (file)',
        'webhook.ipAllowList.enabled: expected boolean (true/false), got "perhaps" (env KEEL_WEBHOOK_IP_ALLOW_LIST)',
        'verification.pollIntervalMs: expected positive integer, got "fast" (file)',
      ].sort(),
    );
    expect(run.stderr).not.toContain('12345');
  });

  it('reports the production refusals for a file that parses but is unsafe', () => {
    writeConfig('unsafe.json', { env: 'production', mode: 'live', server: { host: '0.0.0.0' } });
    const run = keel(['config', 'check', '--config', 'unsafe.json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('webhook.passphrase: expected a passphrase in production');
    expect(run.stderr).toContain('dashboard.token: expected dashboard.token or dashboard.basicAuth');
    expect(run.stderr).toContain('nobitex.token: expected nobitex.token or nobitex.apiKey when mode is live');
  });

  it('reads keel.config.json from the working directory when --config is not given', () => {
    writeConfig('keel.config.json', { simulator: { seed: 77 } });
    const run = keel(['config', 'check']);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { simulator: { seed: number } }).simulator.seed).toBe(77);
  });

  it('exits 1 when --config names a missing file', () => {
    const run = keel(['config', 'check', '--config', 'nope.json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('nope.json: expected an existing, readable config file');
  });

  it('exits 2 on an unknown command or option', () => {
    const unknownCommand = keel(['frobnicate']);
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toContain("unknown command 'frobnicate'");
    const unknownOption = keel(['config', 'check', '--colour']);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain("unknown option '--colour'");
  });
});
