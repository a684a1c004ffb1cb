// Goal: the list of secret paths (used by log redaction and problem reports) covers every Secret the
// schema produces, and config output never contains a secret. Method: parse a config with every secret
// set, walk it for Secret instances, and check each path against the list.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { configToJson, databaseTarget, summarizeConfig } from './describe-config.js';
import { deepFreeze } from './freeze.js';
import { configSchema } from './schema.js';
import { isSecret } from './secret.js';
import { isSecretPath, SECRET_CONFIG_PATHS } from './secret-paths.js';

const FULL = {
  storage: { databaseUrl: 'postgres://keel:SECRET-db@127.0.0.1/keel' },
  redis: { url: 'redis://:SECRET-redis@127.0.0.1:6379' },
  nobitex: {
    token: 'SECRET-token',
    apiKey: { publicKey: 'SECRET-pub', privateKey: 'SECRET-priv' },
    proxy: 'socks5://keel:SECRET-proxy@127.0.0.1:1080',
  },
  webhook: { passphrase: 'SECRET-pass', hmacSecret: 'SECRET-hmac' },
  dashboard: { token: 'SECRET-dash', basicAuth: { user: 'ops', password: 'SECRET-basic' } },
  alerts: {
    channels: {
      email: {
        host: 'smtp.local',
        from: 'keel@local',
        to: ['ops@local'],
        user: 'u',
        password: 'SECRET-smtp',
      },
      sms: {
        provider: 'twilio',
        accountSid: 'AC1',
        authToken: 'SECRET-sms',
        apiKey: 'SECRET-smskey',
        from: '+1',
        to: ['+2'],
      },
      telegram: { botToken: 'SECRET-bot', chatIds: ['1'] },
      ops: {
        kind: 'bale',
        botToken: 'SECRET-bale',
        chatIds: ['2'],
        proxy: 'http://u:SECRET-p@127.0.0.1:3128',
      },
      webhook: { url: 'https://hooks.example/SECRET-hook', headers: { Authorization: 'SECRET-header' } },
    },
  },
};

function secretPaths(value: unknown, prefix: string[] = []): string[] {
  if (isSecret(value)) return [prefix.join('.')];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => secretPaths(inner, [...prefix, key]));
}

const matchesListed = (path: string) =>
  SECRET_CONFIG_PATHS.some((pattern) => {
    const parts = pattern.split('.');
    const actual = path.split('.');
    return (
      parts.length === actual.length && parts.every((part, index) => part === '*' || part === actual[index])
    );
  });

describe('secret paths', () => {
  const config = deepFreeze(configSchema.parse(FULL));

  it('lists every path where the schema produces a Secret', () => {
    const found = secretPaths(config);
    expect(found).toHaveLength(18);
    for (const path of found) expect(matchesListed(path), path).toBe(true);
  });

  it('treats listed paths and secret-like key names as secret, and others not', () => {
    expect(isSecretPath('alerts.channels.webhook.headers.X-Token')).toBe(true);
    expect(isSecretPath('anything.Password')).toBe(true);
    expect(isSecretPath('server.port')).toBe(false);
  });

  it('keeps every secret out of JSON, util.inspect and the summary', () => {
    for (const text of [configToJson(config), inspect(config, { depth: 20 }), summarizeConfig(config)]) {
      expect(text).not.toContain('SECRET-');
    }
    expect(configToJson(config)).toContain('"token": "[redacted]"');
  });

  it('selects PostgreSQL for a postgres URL and SQLite in dataDir otherwise', () => {
    expect(databaseTarget(config).kind).toBe('postgres');
    expect(databaseTarget(configSchema.parse({ dataDir: '/var/keel' }))).toEqual({
      kind: 'sqlite',
      path: '/var/keel/keel.db',
    });
  });
});
