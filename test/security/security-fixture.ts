// An in-process Keel (paper mode, SQLite in a temp dir) for the security tests, with every log line
// captured and a raw HTTP client that sends the request target byte for byte (no URL normalisation).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { KeelApp } from '../../src/app/keel-app.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger, loggerOptionsFromConfig } from '../../src/logging/create-logger.js';

export const PASSPHRASE = 'sec-passphrase-Q7w9e2';

export interface SecurityKeel {
  readonly app: KeelApp;
  /** `http://127.0.0.1:PORT`, whatever address the server is bound to. */
  readonly url: string;
  readonly port: number;
  readonly logLines: string[];
  readonly dataDir: string;
  close(): Promise<void>;
}

export async function startSecurityKeel(
  env: Readonly<Record<string, string>> = {},
  fileConfig?: Record<string, unknown>,
): Promise<SecurityKeel> {
  const dataDir = await mkdtemp(join(tmpdir(), 'keel-security-'));
  let configPath: string | undefined;
  if (fileConfig !== undefined) {
    configPath = join(dataDir, 'keel.config.json');
    await writeFile(configPath, JSON.stringify(fileConfig));
  }
  const loaded = loadConfig({
    env: {
      KEEL_ENV: 'test',
      KEEL_DATA_DIR: dataDir,
      KEEL_PORT: '0',
      KEEL_WEBHOOK_PASSPHRASE: PASSPHRASE,
      KEEL_LOG_LEVEL: 'trace',
      ...env,
    },
    cwd: dataDir,
    ...(configPath === undefined ? {} : { configPath }),
  });
  if (!loaded.ok) throw new Error(`config: ${JSON.stringify(loaded.problems)}`);
  const logLines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      logLines.push(String(chunk));
      callback();
    },
  });
  const logger = createLogger(loggerOptionsFromConfig(loaded.config, stream));
  const app = await KeelApp.create({ config: loaded.config, logger });
  const address = await app.start();
  const port = Number(new URL(address).port);
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    port,
    logLines,
    dataDir,
    close: async () => {
      await app.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface RawResponse {
  readonly status: number;
  readonly head: string;
  readonly body: string;
}

/** One HTTP/1.1 request over a fresh loopback socket, the target sent exactly as given. */
export function rawRequest(port: number, lines: string, body = ''): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const split = text.indexOf('\r\n\r\n');
      const head = split < 0 ? text : text.slice(0, split);
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0),
        head,
        body: split < 0 ? '' : text.slice(split + 4),
      });
    });
    socket.write(`${lines}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n${body}`);
  });
}

export const rawGet = (port: number, target: string, headers: readonly string[] = []) =>
  rawRequest(port, [`GET ${target} HTTP/1.1`, ...headers].join('\r\n'));
