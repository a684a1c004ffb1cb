// Goal: the program's commands and exit codes (0 ok, 1 bad config, 2 bad command line) without a child
// process. Method: call main() with captured output, an injected env and a temp working directory.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEEL_VERSION } from '../config/version.js';
import type { CliContext, CliIo } from './context.js';
import { buildProgram, COMMANDS, main } from './main.js';

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'keel-main-'));
});
afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

async function run(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env,
    cwd,
  };
  const code = await main(['node', 'keel', ...args], io);
  return { code, stdout, stderr };
}

describe('keel main', () => {
  it('does nothing on import and exposes main as a function', () => {
    expect(typeof main).toBe('function');
    expect(process.exitCode).toBeUndefined();
  });

  it('prints the package version for --version and exits 0', async () => {
    expect(await run(['--version'])).toEqual({ code: 0, stdout: `${KEEL_VERSION}\n`, stderr: '' });
  });

  it('prints help for --help and exits 0, but exits 2 when no command is given', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('config');
    expect(help.stdout).toContain('start');
    expect((await run([])).code).toBe(2);
  });

  it('start --live refuses to run without exchange credentials, and never prints secrets', async () => {
    const result = await run(['start', '--live'], {
      KEEL_ENV: 'test',
      KEEL_WEBHOOK_PASSPHRASE: 'LEAK-start',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/nobitex\.(token|apiKey)/);
    expect(result.stdout + result.stderr).not.toContain('LEAK-start');
  });

  it('start --testnet is live trading too: it refuses to run without exchange credentials', async () => {
    const result = await run(['start', '--testnet'], { KEEL_ENV: 'test', KEEL_WEBHOOK_PASSPHRASE: 'x' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/nobitex\.(token|apiKey)/);
  });

  it('start refuses --paper-live together with --live or --testnet', async () => {
    for (const live of ['--live', '--testnet']) {
      const result = await run(['start', live, '--paper-live'], {
        KEEL_ENV: 'test',
        KEEL_WEBHOOK_PASSPHRASE: 'x',
      });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/--paper-live.*cannot be used with/);
    }
  });

  it('start exits 1 and lists problems for an invalid config', async () => {
    writeFileSync(join(cwd, 'keel.config.json'), JSON.stringify({ server: { port: 70_000 } }));
    const result = await run(['start']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('server.port: expected integer 0..65535, got 70000 (file)');
  });

  it('warns on stderr about unknown KEEL_* variables but still succeeds', async () => {
    const result = await run(['config', 'check'], { KEEL_PROT: '1' });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      'keel: warning: KEEL_PROT: expected a known KEEL_* variable, got a value (env KEEL_PROT)\n',
    );
  });

  it('lets other components register more commands', async () => {
    const context: CliContext = { io: { stdout: () => {}, stderr: () => {}, env: {}, cwd }, exitCode: 0 };
    const extra = (program: Command, ctx: CliContext) =>
      program.command('ping').action(() => {
        ctx.exitCode = 3;
      });
    const program = buildProgram(context, [...COMMANDS, extra]);
    expect(program).toBeInstanceOf(Command);
    await program.parseAsync(['node', 'keel', 'ping']);
    expect(context.exitCode).toBe(3);
  });
});
