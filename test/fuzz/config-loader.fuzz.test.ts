// Goal: loadConfig never throws and never yields NaN, whatever the environment and file hold:
// the answer is a config or a list of problems, each with path, expected and got.
// Method: fast-check builds env maps (known KEEL_* variables with hostile values, unknown ones) and
// config files (random JSON, broken JSON, hostile values at real paths) in a temp dir.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-config-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const VARIABLES = [
  'KEEL_ENV',
  'KEEL_MODE',
  'KEEL_HOST',
  'KEEL_PORT',
  'KEEL_DATA_DIR',
  'KEEL_SQLITE_SYNCHRONOUS',
  'KEEL_NOBITEX_BASE_URL',
  'KEEL_NOBITEX_TOKEN',
  'KEEL_WEBHOOK_PASSPHRASE',
  'KEEL_WEBHOOK_IP_ALLOW_LIST',
  'KEEL_WEBHOOK_TRUSTED_PROXIES',
  'KEEL_ENGINE_INITIAL_MODE',
  'KEEL_DASHBOARD_TOKEN',
  'KEEL_LOG_LEVEL',
  'KEEL_SIM_SEED',
  'KEEL_SIM_PORT',
  'KEEL_INSTANCE_ID',
  'KEEL_TELEGRAM_BOT_TOKEN',
  'KEEL_SMTP_PASSWORD',
  'KEEL_WEBHOOK_PASSPHRASE_FILE',
  'KEEL_UNKNOWN_THING',
];

const hostile = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    'NaN',
    'Infinity',
    '-1',
    '1e400',
    '0x10',
    '1.5',
    '99999999999999999999',
    'true',
    'null',
    'paper',
    'live',
    'test',
    'production',
    '127.0.0.1',
    '0.0.0.0',
    'http://127.0.0.1:1',
    'a,b,,c',
    '/nonexistent/file',
    '__proto__',
    '{"a":1}',
    '\u0000',
    '۸۰۸۰',
  ),
  fc.string({ maxLength: 20 }),
  fc.integer({ min: -5, max: 70_000 }).map(String),
);

const jsonValue = fc.oneof(
  fc.constantFrom(
    null,
    true,
    0,
    -1,
    Number.MAX_VALUE,
    Number.MAX_SAFE_INTEGER,
    0.5,
    '',
    'NaN',
    '1e3',
    [],
    {},
  ),
  fc.string({ maxLength: 10 }),
  fc.integer(),
);

const PATHS = [
  'server.port',
  'server.host',
  'server.shutdownGraceMs',
  'nobitex.connectTimeoutMs',
  'nobitex.baseUrls',
  'verification.absenceGraceMs',
  'verification.verifyDeadlineMs',
  'verification.submitAttemptsMax',
  'reconciliation.intervalMs',
  'reconciliation.haltOnBreach',
  'engine.maxOrderValue.rls',
  'engine.allowedSymbols',
  'webhook.passphrase',
  'alerts.channels.email.password',
  'alerts.routes.info',
  'logging.level',
  'mode',
  '__proto__.polluted',
  'constructor.prototype.polluted',
  'unknown.key',
];

function nest(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [path, value] of entries) {
    const keys = path.split('.');
    let node = root;
    keys.slice(0, -1).forEach((key) => {
      const child = Object.hasOwn(node, key) ? node[key] : undefined;
      const next =
        typeof child === 'object' && child !== null && !Array.isArray(child)
          ? (child as Record<string, unknown>)
          : {};
      Object.defineProperty(node, key, { value: next, enumerable: true, writable: true, configurable: true });
      node = next;
    });
    Object.defineProperty(node, keys.at(-1) ?? 'x', {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return root;
}

const fileText = fc.oneof(
  fc
    .array(fc.tuple(fc.constantFrom(...PATHS), jsonValue), { maxLength: 6 })
    .map((entries) => JSON.stringify(nest(entries))),
  fc.json({ maxDepth: 3 }),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', '{', '[]', 'null', '{"server":', '{"server":{"port":1e999}}', '\uFEFF{}'),
);

function containsNaN(value: unknown, seen = new Set<unknown>()): boolean {
  if (typeof value === 'number') return !Number.isFinite(value) && value !== Number.POSITIVE_INFINITY;
  if (typeof value !== 'object' || value === null || seen.has(value)) return false;
  seen.add(value);
  return Object.values(value).some((child) => containsNaN(child, seen));
}

function expectWellFormed(result: ReturnType<typeof loadConfig>): void {
  if (result.ok) {
    expect(containsNaN(result.config)).toBe(false);
  } else {
    expect(result.problems.length).toBeGreaterThan(0);
    for (const problem of result.problems) {
      // path may be '' for an empty key in the file (reported: it should name the key and the file).
      expect(typeof problem.path).toBe('string');
      for (const text of [problem.expected, problem.got]) {
        expect(typeof text).toBe('string');
        expect(text.length).toBeGreaterThan(0);
      }
      expect(['default', 'file', 'env']).toContain(problem.source);
    }
  }
  expect(Object.prototype).not.toHaveProperty('polluted');
}

describe('loadConfig under random environments and files', () => {
  it('answers a config or path/expected/got problems for any environment, never a throw or NaN', () => {
    const env = fc.dictionary(fc.constantFrom(...VARIABLES), hostile, { maxKeys: 8 });
    fc.assert(
      fc.property(env, (map) => {
        expectWellFormed(loadConfig({ env: { KEEL_DATA_DIR: dir, ...map }, cwd: dir }));
      }),
      { numRuns: 300, seed: 3 },
    );
  });

  it('answers a config or problems for any config file content, never a throw or NaN', () => {
    let n = 0;
    fc.assert(
      fc.property(
        fileText,
        fc.dictionary(fc.constantFrom(...VARIABLES), hostile, { maxKeys: 3 }),
        (text, map) => {
          const path = join(dir, `config-${n++}.json`);
          writeFileSync(path, text);
          expectWellFormed(
            loadConfig({ env: { KEEL_ENV: 'test', KEEL_DATA_DIR: dir, ...map }, cwd: dir, configPath: path }),
          );
        },
      ),
      { numRuns: 300, seed: 5 },
    );
  });

  it('reports a missing config file as a problem, not an exception', () => {
    const result = loadConfig({ env: {}, cwd: dir, configPath: join(dir, 'missing.json') });
    expect(result.ok).toBe(false);
  });

  it('never echoes a secret value in a problem', () => {
    const path = join(dir, 'secret.json');
    writeFileSync(
      path,
      JSON.stringify({
        webhook: { passphrase: 987_654_321_987 },
        alerts: { channels: { telegram: { botToken: 123_456_789_123 } } },
      }),
    );
    const result = loadConfig({ env: { KEEL_NOBITEX_TOKEN: 'x' }, cwd: dir, configPath: path });
    expectWellFormed(result);
    expect(result.ok).toBe(false);
    const text = JSON.stringify(result);
    expect(text).not.toContain('987654321987');
    expect(text).not.toContain('123456789123');
  });
});
