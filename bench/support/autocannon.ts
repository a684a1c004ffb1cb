// autocannon against Keel's webhook, run in a child process so its load does not share the event loop
// of the Keel under test; answers with autocannon's JSON summary.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { webhookBody } from './keel-app.js';

interface Histogram {
  readonly p50: number;
  readonly p99: number;
  readonly min: number;
  readonly max: number;
}

export interface CannonResult {
  /** Per-second request counts: p50 is the median second. */
  readonly requests: Histogram & { readonly average: number; readonly total: number };
  readonly latency: Histogram;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

export interface CannonOptions {
  readonly connections: number;
  readonly durationS: number;
  /** Prefix of each alert id (autocannon numbers the requests after it). */
  readonly idPrefix: string;
}

/** POSTs distinct webhook alerts to `url` for `durationS` over `connections` connections. */
export function autocannon(url: string, options: CannonOptions): Promise<CannonResult> {
  const child = fileURLToPath(new URL('./autocannon-child.mjs', import.meta.url));
  const cannon = {
    url,
    connections: options.connections,
    duration: options.durationS,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    bodyTemplate: webhookBody(`${options.idPrefix}-[<id>]`),
  };
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [child, JSON.stringify(cannon)],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => {
        if (error !== null) return reject(error);
        try {
          resolve(JSON.parse(stdout.trim()) as CannonResult);
        } catch {
          reject(new Error(`autocannon printed no JSON: ${stdout.slice(0, 200)}`));
        }
      },
    );
  });
}
