// Goal: loadConfig merges defaults < profile < file < env, validates strictly, and reports problems
// with path, expected, got and source, never throwing and never showing a secret.
// Method: real temp files and injected env objects; assertions on the frozen result or the problems.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Environment, type LoadConfigOptions, loadConfig } from './index.js';
import type { ConfigProblem } from './problems.js';

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'keel-config-'));
});
afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

const writeJson = (name: string, value: unknown): string => {
  const path = join(cwd, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
};

const ok = (options: Omit<LoadConfigOptions, 'cwd'> & { env?: Environment } = {}) => {
  const result = loadConfig({ env: {}, cwd, ...options });
  if (!result.ok) throw new Error(`unexpected problems: ${JSON.stringify(result.problems)}`);
  return result.config;
};

const problems = (options: Omit<LoadConfigOptions, 'cwd'> = {}): ConfigProblem[] => {
  const result = loadConfig({ env: {}, cwd, ...options });
  if (result.ok) throw new Error('expected problems, config was accepted');
  return result.problems;
};

const STRONG = 'strong-secret-0123456789abcdef'; // 30 characters
const PRODUCTION_SAFE: Environment = {
  KEEL_ENV: 'production',
  KEEL_WEBHOOK_PASSPHRASE: STRONG,
  KEEL_OPERATOR_PORT: '8081',
};

describe('loadConfig precedence', () => {
  it('uses schema defaults when there is no file and no env', () => {
    const config = ok();
    expect(config.env).toBe('development');
    expect(config.mode).toBe('paper');
    expect(config.server).toEqual({
      host: '127.0.0.1',
      port: 8080,
      shutdownGraceMs: 10_000,
      operatorHost: '127.0.0.1',
      publicHosts: [],
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      connectionsMax: 1_024,
    });
    expect(config.nobitex.baseUrls).toEqual(['https://apiv2.nobitex.ir']);
    expect(config.nobitex.userAgent).toMatch(/^TraderBot\/keel-\d+\.\d+\.\d+/);
    expect(config.webhook.ipAllowList.addresses).toEqual([
      '52.89.214.238',
      '34.212.75.30',
      '54.218.53.128',
      '52.32.178.7',
    ]);
    expect(config.engine.maxOrderValue).toEqual({ rls: '500000000', usdt: '1000' });
    expect(config.cluster.instanceId).toMatch(/-\d+$/);
  });

  it('reads keel.config.json from cwd and lets env override it', () => {
    writeJson('keel.config.json', { server: { port: 9000, host: '127.0.0.2' }, simulator: { seed: 5 } });
    const config = ok({ env: { KEEL_PORT: '9100' } });
    expect(config.server.port).toBe(9100);
    expect(config.server.host).toBe('127.0.0.2');
    expect(config.simulator.seed).toBe(5);
  });

  it('keeps file values that env does not touch, key by key inside a section', () => {
    writeJson('keel.config.json', { nobitex: { connectTimeoutMs: 1_234 } });
    const config = ok({ env: { KEEL_NOBITEX_BASE_URL: 'https://a.example, https://b.example' } });
    expect(config.nobitex.connectTimeoutMs).toBe(1_234);
    expect(config.nobitex.baseUrls).toEqual(['https://a.example', 'https://b.example']);
  });

  it('reads --config PATH instead of keel.config.json, from options or argv', () => {
    writeJson('keel.config.json', { simulator: { seed: 1 } });
    const other = writeJson('other.json', { simulator: { seed: 42 } });
    expect(ok({ configPath: other }).simulator.seed).toBe(42);
    expect(ok({ argv: ['node', 'keel', 'start', '--config', 'other.json'] }).simulator.seed).toBe(42);
    expect(ok({ argv: ['node', 'keel', `--config=${other}`] }).simulator.seed).toBe(42);
  });

  it('reports a --config file that does not exist', () => {
    const [problem] = problems({ configPath: 'missing.json' });
    expect(problem).toMatchObject({ path: 'missing.json', source: 'file' });
    expect(problem?.got).toContain('ENOENT');
  });

  it('reports a config file that is not JSON or not an object', () => {
    writeFileSync(join(cwd, 'bad.json'), '{ "server": ');
    expect(problems({ configPath: 'bad.json' })[0]?.expected).toBe('valid JSON');
    writeJson('list.json', [1, 2]);
    expect(problems({ configPath: 'list.json' })[0]).toMatchObject({
      expected: 'a JSON object at the top level',
      got: 'a list',
    });
  });

  it('returns a deeply frozen config', () => {
    const config = ok();
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.nobitex.breaker.orders)).toBe(true);
    expect(Object.isFrozen(config.engine.allowedSymbols)).toBe(true);
    expect(() => {
      (config.server as { port: number }).port = 1;
    }).toThrow(TypeError);
  });
});

describe('loadConfig profiles', () => {
  it('sets the log level per profile: development debug, test warn, production info', () => {
    expect(ok().logging.level).toBe('debug');
    expect(ok({ env: { KEEL_ENV: 'test' } }).logging.level).toBe('warn');
    expect(ok({ env: PRODUCTION_SAFE }).logging.level).toBe('info');
  });

  it('takes the profile from the file when KEEL_ENV is unset, and KEEL_ENV wins over the file', () => {
    writeJson('keel.config.json', { env: 'test' });
    expect(ok().server.port).toBe(0);
    expect(ok({ env: { KEEL_ENV: 'development' } }).server.port).toBe(8080);
  });

  it('lets the file override a profile default', () => {
    writeJson('keel.config.json', { env: 'test', logging: { level: 'error' } });
    expect(ok().logging.level).toBe('error');
  });

  it('rejects an unknown profile name', () => {
    expect(problems({ env: { KEEL_ENV: 'staging' } })[0]).toMatchObject({
      path: 'env',
      got: '"staging"',
      source: 'env',
      variable: 'KEEL_ENV',
    });
  });
});

describe('loadConfig env coercion and secrets', () => {
  it.each([
    ['false', false],
    ['0', false],
    ['no', false],
    ['off', false],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['on', true],
  ])('reads boolean %s as %s', (text, expected) => {
    expect(ok({ env: { KEEL_WEBHOOK_IP_ALLOW_LIST: text } }).webhook.ipAllowList.enabled).toBe(expected);
  });

  it('reports a boolean word it does not know', () => {
    expect(problems({ env: { KEEL_WEBHOOK_IP_ALLOW_LIST: 'maybe' } })).toEqual([
      {
        path: 'webhook.ipAllowList.enabled',
        expected: 'boolean (true/false)',
        got: '"maybe"',
        source: 'env',
        variable: 'KEEL_WEBHOOK_IP_ALLOW_LIST',
      },
    ]);
  });

  it('reports a number that is not one, from env and from the file', () => {
    expect(problems({ env: { KEEL_PORT: 'abc' } })[0]).toMatchObject({
      path: 'server.port',
      expected: 'integer 0..65535',
      got: '"abc"',
      source: 'env',
    });
    writeJson('keel.config.json', { nobitex: { connectTimeoutMs: 'abc' } });
    expect(problems()).toEqual([
      { path: 'nobitex.connectTimeoutMs', expected: 'positive integer', got: '"abc"', source: 'file' },
    ]);
  });

  it('turns secret env vars into Secret instances', () => {
    const config = ok({ env: { KEEL_NOBITEX_TOKEN: 'tok-123', KEEL_DASHBOARD_TOKEN: 'dash-456' } });
    expect(config.nobitex.token?.reveal()).toBe('tok-123');
    expect(config.dashboard.token?.reveal()).toBe('dash-456');
    expect(JSON.stringify(config)).not.toContain('tok-123');
  });

  it('maps the documented variables to their config paths', () => {
    const config = ok({
      env: {
        KEEL_LOG_FILE: 'logs/keel.log',
        KEEL_SIM_SEED: '99',
        KEEL_DATA_DIR: '/srv/keel',
        KEEL_DATABASE_URL: 'postgres://keel@127.0.0.1/keel',
        KEEL_REDIS_URL: 'redis://127.0.0.1:6379',
        KEEL_LOG_LEVEL: 'trace',
      },
    });
    expect(config.logging).toEqual({
      level: 'trace',
      file: { path: 'logs/keel.log', sizeBytesMax: 10_485_760, filesMax: 10 },
    });
    expect(config.simulator.seed).toBe(99);
    expect(config.dataDir).toBe('/srv/keel');
    expect(config.storage.databaseUrl?.reveal()).toBe('postgres://keel@127.0.0.1/keel');
    expect(config.redis.url?.reveal()).toBe('redis://127.0.0.1:6379');
  });

  it('reads a secret from <NAME>_FILE and trims the trailing newline', () => {
    writeFileSync(join(cwd, 'passphrase.txt'), 'from-a-file\n');
    const config = ok({ env: { KEEL_WEBHOOK_PASSPHRASE_FILE: 'passphrase.txt' } });
    expect(config.webhook.passphrase?.reveal()).toBe('from-a-file');
  });

  it('reports a missing secret file clearly', () => {
    expect(problems({ env: { KEEL_NOBITEX_TOKEN_FILE: '/nonexistent/token' } })[0]).toMatchObject({
      path: 'KEEL_NOBITEX_TOKEN_FILE',
      expected: 'a readable file holding the secret',
      source: 'env',
    });
  });

  it('refuses both a secret and its _FILE form', () => {
    writeFileSync(join(cwd, 't'), 'x');
    expect(problems({ env: { KEEL_NOBITEX_TOKEN: 'a', KEEL_NOBITEX_TOKEN_FILE: 't' } })[0]?.expected).toBe(
      'only one of KEEL_NOBITEX_TOKEN and KEEL_NOBITEX_TOKEN_FILE',
    );
  });

  it('never shows a secret value in a problem', () => {
    writeJson('keel.config.json', { storage: { databaseUrl: 'mysql://user:topsecret@host/db' } });
    const [problem] = problems();
    expect(problem).toMatchObject({ path: 'storage.databaseUrl', got: '[redacted]', source: 'file' });
  });

  it('warns about KEEL_* variables that are not in the table', () => {
    const result = loadConfig({ env: { KEEL_WEBHOOK_PASSPRASE: 'x' }, cwd });
    expect(result.ok).toBe(true);
    expect(result.warnings.map((w) => w.path)).toEqual(['KEEL_WEBHOOK_PASSPRASE']);
  });
});

describe('loadConfig strictness and relations', () => {
  it('rejects unknown keys with a suggestion and without echoing the value', () => {
    writeJson('keel.config.json', { webhook: { pasphrase: 'leaky' }, bogus: 1 });
    const found = problems();
    expect(found).toContainEqual({
      path: 'webhook.pasphrase',
      expected: 'no such key (did you mean "passphrase"?)',
      got: 'a string',
      source: 'file',
    });
    expect(found.map((p) => p.path)).toContain('bogus');
    expect(JSON.stringify(found)).not.toContain('leaky');
  });

  it('requires decimal strings for money limits', () => {
    writeJson('keel.config.json', { engine: { maxOrderValue: { rls: 1000, usdt: '-5' } } });
    expect(problems().map((p) => [p.path, p.got])).toEqual([
      ['engine.maxOrderValue.rls', '1000'],
      ['engine.maxOrderValue.usdt', '"-5"'],
    ]);
  });

  it('reports pollIntervalMs above pollIntervalMaxMs', () => {
    writeJson('keel.config.json', { verification: { pollIntervalMs: 6_000, pollIntervalMaxMs: 5_000 } });
    expect(problems()).toEqual([
      {
        path: 'verification.pollIntervalMs',
        expected: '<= verification.pollIntervalMaxMs (5000)',
        got: '6000',
        source: 'file',
      },
    ]);
  });

  it('reports every broken relation at once', () => {
    writeJson('keel.config.json', {
      nobitex: { retry: { delayInitialMs: 9_000, delayMaxMs: 1_000 } },
      verification: { verifyDeadlineMs: 20_000, absenceGraceMs: 10_000 },
      alerts: { routes: { critical: ['telegram'] }, groupWaitMs: 900_000 },
      engine: { allowedSymbols: ['BTCIRT'], maxPositionPerSymbol: { DOGEIRT: '5' } },
      cluster: { leaseTtlMs: 5_000, leaseRenewIntervalMs: 5_000 },
    });
    expect(problems().map((p) => p.path)).toEqual([
      'verification.verifyDeadlineMs',
      'nobitex.retry.delayInitialMs',
      'alerts.groupWaitMs',
      'alerts.routes.critical',
      'engine.maxPositionPerSymbol.DOGEIRT',
      'cluster.leaseRenewIntervalMs',
    ]);
  });

  it('requires provider fields for the sms channel', () => {
    writeJson('keel.config.json', { alerts: { channels: { sms: { provider: 'twilio', to: ['+100'] } } } });
    expect(problems().map((p) => p.path)).toEqual([
      'alerts.channels.sms.accountSid',
      'alerts.channels.sms.authToken',
      'alerts.channels.sms.from',
    ]);
  });
});

describe('loadConfig safety refusals', () => {
  it('refuses production without a webhook passphrase', () => {
    expect(problems({ env: { KEEL_ENV: 'production', KEEL_OPERATOR_PORT: '8081' } })).toEqual([
      expect.objectContaining({ path: 'webhook.passphrase', got: 'nothing' }),
    ]);
  });

  it('refuses production without dashboard auth unless the operator surface has its own loopback listener', () => {
    const { KEEL_OPERATOR_PORT: _port, ...shared } = PRODUCTION_SAFE;
    for (const env of [
      shared,
      { ...shared, KEEL_HOST: '0.0.0.0' },
      { ...PRODUCTION_SAFE, KEEL_OPERATOR_HOST: '0.0.0.0' },
    ])
      expect(problems({ env })).toEqual([
        expect.objectContaining({
          path: 'dashboard.token',
          expected: expect.stringContaining('KEEL_OPERATOR_PORT'),
        }),
      ]);
    expect(ok({ env: { ...shared, KEEL_DASHBOARD_TOKEN: STRONG } }).server.operatorPort).toBeUndefined();
    const basic = {
      ...shared,
      KEEL_HOST: '0.0.0.0',
      KEEL_DASHBOARD_USER: 'ops',
      KEEL_DASHBOARD_PASSWORD: STRONG,
    };
    expect(ok({ env: basic }).dashboard.basicAuth?.user).toBe('ops');
    expect(ok({ env: { ...PRODUCTION_SAFE, KEEL_OPERATOR_HOST: '::1' } }).server.operatorHost).toBe('::1');
  });

  it('refuses short secrets in production, naming the length and how to generate one, never the value', () => {
    const weak = {
      ...PRODUCTION_SAFE,
      KEEL_WEBHOOK_PASSPHRASE: 'hunter2',
      KEEL_WEBHOOK_HMAC_SECRET: 'k'.repeat(23),
      KEEL_DASHBOARD_TOKEN: 'tok',
      KEEL_DASHBOARD_USER: 'ops',
      KEEL_DASHBOARD_PASSWORD: 'pw',
    };
    const found = problems({ env: weak });
    expect(found.map((p) => [p.path, p.got])).toEqual([
      ['webhook.passphrase', '7 characters'],
      ['webhook.hmacSecret', '23 characters'],
      ['dashboard.token', '3 characters'],
      ['dashboard.basicAuth.password', '2 characters'],
    ]);
    for (const problem of found) {
      expect(problem.expected).toContain('openssl rand -base64 32');
      expect(JSON.stringify(problem)).not.toMatch(/hunter2|kkkk|"tok"|"pw"/);
    }
    expect(ok({ env: { ...weak, KEEL_ENV: 'development' } }).env).toBe('development');
  });

  it('refuses an operator port equal to the webhook port, and headers timeout above the request timeout', () => {
    expect(problems({ env: { KEEL_PORT: '8080', KEEL_OPERATOR_PORT: '8080' } })).toEqual([
      expect.objectContaining({ path: 'server.operatorPort' }),
    ]);
    expect(
      problems({
        configPath: writeJson('slow.json', {
          server: { headersTimeoutMs: 40_000, requestTimeoutMs: 30_000 },
        }),
      }).map((p) => p.path),
    ).toEqual(['server.headersTimeoutMs']);
  });

  it('refuses live mode without nobitex credentials in every profile', () => {
    for (const env of [{ KEEL_MODE: 'live' }, { ...PRODUCTION_SAFE, KEEL_MODE: 'live' }]) {
      expect(problems({ env })).toEqual([expect.objectContaining({ path: 'nobitex.token' })]);
    }
    expect(ok({ env: { KEEL_MODE: 'live', KEEL_NOBITEX_TOKEN: 't' } }).mode).toBe('live');
    const keys = { KEEL_MODE: 'live', KEEL_NOBITEX_API_KEY: 'pub', KEEL_NOBITEX_API_SECRET: 'priv' };
    expect(ok({ env: keys }).nobitex.apiKey?.privateKey.reveal()).toBe('priv');
  });

  it('accepts a production config with the required settings', () => {
    expect(ok({ env: PRODUCTION_SAFE }).env).toBe('production');
  });
});

describe('loadConfig named channels and proxies (issue 15)', () => {
  const bale = { kind: 'bale', botToken: '123:abc', chatIds: ['42'] };

  it('parses the issue file: a bale channel named ops, critical routed to it, console kept for the rest', () => {
    const configPath = writeJson('keel.json', {
      alerts: {
        groupWaitMs: 1,
        routes: { critical: ['ops'] },
        channels: { ops: { ...bale, apiBaseUrl: 'http://127.0.0.1:9', proxy: 'http://127.0.0.1:8' } },
      },
    });
    const config = ok({ configPath });
    expect(config.alerts.routes.critical).toEqual(['ops']);
    expect(config.alerts.routes.info).toEqual(['console']);
    expect(config.alerts.channels['ops']).toMatchObject({ kind: 'bale', apiBaseUrl: 'http://127.0.0.1:9' });
    expect(config.alerts.channels['console']).toEqual({ kind: 'console', enabled: true });
  });

  it('keeps the keys of before: a channel named after its kind needs no kind; env still fills it', () => {
    const configPath = writeJson('keel.json', {
      alerts: { routes: { critical: ['telegram'] }, channels: { telegram: { chatIds: ['1'] } } },
    });
    const config = ok({ configPath, env: { KEEL_TELEGRAM_BOT_TOKEN: '9:tok' } });
    expect(config.alerts.channels['telegram']).toMatchObject({
      kind: 'telegram',
      apiBaseUrl: 'https://api.telegram.org',
    });
  });

  it('runs two channels of one kind side by side, with Bale at its own address by default', () => {
    const configPath = writeJson('keel.json', {
      alerts: {
        routes: { critical: ['ops', 'desk'], error: ['desk'] },
        channels: { ops: bale, desk: { ...bale, botToken: '456:def' } },
      },
    });
    const config = ok({ configPath });
    expect(config.alerts.channels['desk']).toMatchObject({
      kind: 'bale',
      apiBaseUrl: 'https://tapi.bale.ai',
    });
    expect(config.alerts.routes.error).toEqual(['desk']);
  });

  it('reports a route or escalation naming no channel, an unknown kind, and a bad proxy without echoing it', () => {
    const configPath = writeJson('keel.json', {
      alerts: {
        routes: { critical: ['pager'] },
        escalation: { channel: 'nobody' },
        channels: { ops: { ...bale, proxy: 'ftp://user:hunter22@h' }, odd: { kind: 'pigeon' } },
      },
    });
    const found = problems({ configPath });
    expect(found.map((problem) => problem.path)).toEqual(
      expect.arrayContaining(['alerts.channels.ops.proxy', 'alerts.channels.odd.kind']),
    );
    expect(JSON.stringify(found)).not.toContain('hunter22');
    const relations = problems({
      configPath: writeJson('k2.json', {
        alerts: {
          routes: { critical: ['pager'] },
          escalation: { channel: 'nobody' },
          channels: { ops: bale },
        },
      }),
    });
    expect(relations.map((problem) => problem.path)).toEqual([
      'alerts.routes.critical',
      'alerts.escalation.channel',
    ]);
  });

  it("refuses commands on two channels of one bot (they would steal each other's updates)", () => {
    const commands = { chatIds: ['42'] };
    const configPath = writeJson('keel.json', {
      alerts: { channels: { ops: { ...bale, commands }, desk: { ...bale, chatIds: ['7'], commands } } },
    });
    expect(problems({ configPath })).toMatchObject([
      { path: 'alerts.channels.desk.commands', expected: expect.stringContaining('ops already polls') },
    ]);
  });

  it('takes nobitex.proxy for all base URLs or per base URL, and refuses a URL not in the list', () => {
    expect(ok({ env: { KEEL_NOBITEX_PROXY: 'socks5://u:p@127.0.0.1:1080' } }).nobitex.proxy?.toString()).toBe(
      '[redacted]',
    );
    const configPath = writeJson('keel.json', {
      nobitex: { proxy: { 'https://apiv2.nobitex.ir': 'direct', 'https://other.example': 'http://h:1' } },
    });
    expect(problems({ configPath })).toMatchObject([{ path: 'nobitex.proxy.https://other.example' }]);
  });
});
