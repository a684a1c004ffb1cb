// Goal (issue 15): `keel alerts test CHANNEL` sends one message through the named channel (through its
// proxy) and prints what the channel answered; an unknown name is a usage error listing the channels.
// Method: main() in-process with a temp config; a fake Bot API and an HTTP proxy on 127.0.0.1.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/context.js';
import { main } from '../../src/cli/main.js';
import { FakeBotApi } from '../support/fake-bot-api.js';
import { startHttpProxy, type TestProxy } from '../support/proxies.js';

let cwd: string;
let api: FakeBotApi;
let proxy: TestProxy;
beforeEach(async () => {
  cwd = mkdtempSync(join(tmpdir(), 'keel-alerts-test-'));
  api = await FakeBotApi.start();
  proxy = await startHttpProxy({ user: 'ops', password: 'proxy-pass-xyz' });
});
afterEach(async () => {
  await proxy.close();
  await api.close();
  rmSync(cwd, { recursive: true, force: true });
});

async function run(args: string[]) {
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
  const code = await main(['node', 'keel', ...args], io);
  return { code, stdout, stderr };
}

describe('keel alerts test', () => {
  it('sends a test message through the channel and its proxy and prints the answer', async () => {
    writeFileSync(
      join(cwd, 'keel.config.json'),
      JSON.stringify({
        alerts: {
          channels: {
            ops: {
              kind: 'bale',
              botToken: '123:abc',
              chatIds: ['42'],
              apiBaseUrl: api.url,
              proxy: proxy.url,
            },
          },
        },
      }),
    );
    const result = await run(['alerts', 'test', 'ops']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('ops (bale) delivered the test message.');
    expect(result.stdout).toContain('chat 42: HTTP 200: {"ok":true');
    expect(api.messagesTo('42')).toEqual([expect.stringContaining('Keel test message')]);
    expect(proxy.visits).toHaveLength(1);
    expect(result.stdout).not.toContain('123:abc');

    const unknown = await run(['alerts', 'test', 'pager']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no channel named "pager" (configured: ops, console)');
  });

  it('prints the failure, scrubbed, when the channel cannot deliver', async () => {
    await proxy.close();
    writeFileSync(
      join(cwd, 'keel.config.json'),
      JSON.stringify({
        alerts: {
          channels: {
            ops: {
              kind: 'telegram',
              botToken: '9:tok',
              chatIds: ['7'],
              apiBaseUrl: api.url,
              proxy: proxy.url,
            },
          },
        },
      }),
    );
    const result = await run(['alerts', 'test', 'ops']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('keel: ops (telegram) failed:');
    expect(result.stderr).not.toContain('proxy-pass-xyz');
    expect(result.stderr).not.toContain('9:tok');
  });
});
