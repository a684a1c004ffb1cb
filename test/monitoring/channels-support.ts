// Shared helpers of the channel tests: notifications, a memory logger, a recording HTTP peer on
// 127.0.0.1 that can fail, hang, stop (connection refused) and come back on the same port.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { expect } from 'vitest';
import type { FakeClock } from '../../src/core/clock.js';
import type { Logger } from '../../src/logging/logger.js';
import type { Alert, Notification } from '../../src/monitoring/alert-system/alert.js';

export function makeAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 'alert-1',
    key: 'exchange:timeout',
    severity: 'critical',
    source: 'exchange',
    group: 'exchange',
    title: 'Nobitex order placement timed out',
    details: {},
    state: 'firing',
    firstSeenAtMs: Date.UTC(2026, 0, 1),
    lastSeenAtMs: Date.UTC(2026, 0, 1),
    repeatCount: 2,
    acknowledgedBy: null,
    acknowledgedAtMs: null,
    resolvedBy: null,
    resolvedAtMs: null,
    ...overrides,
  };
}

export function makeNotification(overrides: Partial<Notification> = {}): Notification {
  return {
    group: 'exchange',
    alerts: [makeAlert()],
    reason: 'initial',
    atMs: Date.UTC(2026, 0, 1),
    ...overrides,
  };
}

/** A pino logger at trace level writing into memory, with no redaction: whatever is logged is seen. */
export function memoryLogger(): { logger: Logger; text: () => string } {
  const lines: string[] = [];
  const logger = pino({ level: 'trace' }, { write: (chunk: string) => void lines.push(chunk) });
  return { logger, text: () => lines.join('') };
}

export function expectNoSecrets(texts: readonly string[], secrets: readonly string[]): void {
  for (const text of texts) for (const secret of secrets) expect(text).not.toContain(secret);
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export type PeerReply = { readonly status: number; readonly body?: unknown } | 'hang';
export type PeerHandler = (request: RecordedRequest) => PeerReply;

export class HttpPeer {
  readonly requests: RecordedRequest[] = [];
  handler: PeerHandler;
  #server: Server | undefined;
  #port = 0;
  readonly #hanging = new Set<ServerResponse>();

  private constructor(handler: PeerHandler) {
    this.handler = handler;
  }

  static async start(handler: PeerHandler = () => ({ status: 200, body: { ok: true } })): Promise<HttpPeer> {
    const peer = new HttpPeer(handler);
    await peer.listen();
    return peer;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Listens again on the same port after stop(): the peer "recovers". */
  async listen(): Promise<void> {
    const server = createServer((request, response) => void this.#handle(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => resolve());
    });
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Closes the listener and every connection: new requests get connection refused. */
  async stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    this.#server = undefined;
    for (const response of this.#hanging) response.destroy();
    this.#hanging.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const recorded: RecordedRequest = {
      method: request.method ?? '',
      path: request.url ?? '',
      headers: request.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.requests.push(recorded);
    const reply = this.handler(recorded);
    if (reply === 'hang') {
      this.#hanging.add(response);
      response.on('close', () => this.#hanging.delete(response));
      return;
    }
    const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
    response.writeHead(reply.status, { 'content-type': 'application/json' }).end(text);
  }
}

/** Polls with tiny real waits (loopback I/O needs a few event-loop turns); fails after timeoutMs. */
export async function waitFor(predicate: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Advances fake time in steps, letting real loopback I/O run between them, until the predicate holds. */
export async function advanceUntil(
  clock: FakeClock,
  predicate: () => boolean,
  stepMs: number,
  stepsMax = 400,
): Promise<void> {
  for (let step = 0; !predicate(); step++) {
    if (step >= stepsMax) throw new Error(`condition not reached after ${stepsMax} steps of ${stepMs} ms`);
    await clock.advance(stepMs);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Captures what a promise rejects with (or fails the test when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error('expected a rejection, but the promise resolved');
}
