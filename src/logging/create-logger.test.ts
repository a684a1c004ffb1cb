// Goal: the process logger writes JSON lines at the profile's level, binds component and order ids,
// never writes a secret, and can also write to a rotating file. Method: log into an in-memory stream
// and parse the lines; the file case uses a temp dir and polls briefly for the worker's write.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { Secret } from '../config/secret.js';
import { bindOrderIds, componentLogger, createLogger, loggerOptionsFromConfig } from './create-logger.js';
import { silentLogger } from './logger.js';

function memoryStream() {
  const lines: string[] = [];
  return {
    stream: { write: (chunk: string) => void lines.push(chunk) },
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    text: () => lines.join(''),
  };
}

describe('createLogger', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('writes JSON lines with level labels and drops lines below the level', () => {
    const memory = memoryStream();
    const logger = createLogger({ level: 'warn', stream: memory.stream });
    logger.info('hidden');
    logger.warn({ count: 2 }, 'shown');
    expect(memory.records()).toEqual([expect.objectContaining({ level: 'warn', msg: 'shown', count: 2 })]);
  });

  it('redacts secret key names, config secret paths and Secret instances', () => {
    const memory = memoryStream();
    const logger = createLogger({ level: 'info', stream: memory.stream });
    logger.info(
      {
        token: 'LEAK-1',
        request: { headers: { authorization: 'Token LEAK-2', 'x-api-key': 'LEAK-3' } },
        nobitex: { apiKey: { privateKey: 'LEAK-4' } },
        config: { storage: { databaseUrl: 'postgres://u:LEAK-5@h/db' }, webhook: { passphrase: 'LEAK-6' } },
        channel: { botToken: 'LEAK-7', password: 'LEAK-8', hmacSecret: 'LEAK-9' },
        wrapped: new Secret('LEAK-10'),
        list: [new Secret('LEAK-11')],
        orderId: 'visible-order',
      },
      'request',
    );
    expect(memory.text()).not.toContain('LEAK-');
    expect(memory.text()).toContain('visible-order');
    expect(memory.records()[0]?.['token']).toBe('[redacted]');
  });

  it('redacts the whole loaded config when it is logged', () => {
    const result = loadConfig({
      cwd: tmpdir(),
      env: { KEEL_NOBITEX_TOKEN: 'LEAK-T', KEEL_WEBHOOK_PASSPHRASE: 'LEAK-P' },
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const memory = memoryStream();
    createLogger({ level: 'info', stream: memory.stream }).info({ config: result.config }, 'config');
    expect(memory.text()).not.toContain('LEAK-');
    expect(memory.text()).toContain('apiv2.nobitex.ir');
  });

  it('binds the component and the signal and order ids on child loggers', () => {
    const memory = memoryStream();
    const exchange = componentLogger(createLogger({ level: 'info', stream: memory.stream }), 'exchange');
    bindOrderIds(exchange, { signalId: 's-1', orderId: 'o-1', clientOrderId: undefined }).info('placed');
    const [record] = memory.records();
    expect(record).toMatchObject({ component: 'exchange', signalId: 's-1', orderId: 'o-1', msg: 'placed' });
    expect(record).not.toHaveProperty('clientOrderId');
  });

  it('takes the level per profile from the config', () => {
    const levelFor = (env: string) => {
      const result = loadConfig({
        cwd: tmpdir(),
        env: { KEEL_ENV: env, KEEL_WEBHOOK_PASSPHRASE: 'p'.repeat(24), KEEL_OPERATOR_PORT: '8081' },
      });
      if (!result.ok) throw new Error(JSON.stringify(result.problems));
      return loggerOptionsFromConfig(result.config).level;
    };
    expect([levelFor('development'), levelFor('test'), levelFor('production')]).toEqual([
      'debug',
      'warn',
      'info',
    ]);
  });

  it('rejects a level it does not know and a file size below 1 KiB', () => {
    expect(() => createLogger({ level: 'loud' as 'info' })).toThrow(/level must be one of .* was loud/);
    const file = { path: join(tmpdir(), 'x.log'), sizeBytesMax: 10, filesMax: 1 };
    expect(() => createLogger({ level: 'info', stream: memoryStream().stream, file })).toThrow(/was 10/);
  });

  it('also writes to a rotating file when one is configured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-log-'));
    dirs.push(dir);
    const memory = memoryStream();
    const file = { path: join(dir, 'keel.log'), sizeBytesMax: 1_048_576, filesMax: 2 };
    const logger = createLogger({ level: 'info', stream: memory.stream, file });
    logger.info({ password: 'LEAK-F' }, 'to both');
    const written = await pollForText(dir, 'to both');
    expect(written).not.toContain('LEAK-F');
    expect(memory.text()).toContain('to both');
  });

  it('keeps silentLogger silent', () => {
    expect(silentLogger.isLevelEnabled('fatal')).toBe(false);
  });
});

/** The file is written by pino-roll in a worker thread; poll the directory briefly. */
async function pollForText(dir: string, text: string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const content = readdirSync(dir)
      .map((name) => readFileSync(join(dir, name), 'utf8'))
      .join('');
    if (content.includes(text)) return content;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no log file in ${dir} contained ${JSON.stringify(text)}`);
}
