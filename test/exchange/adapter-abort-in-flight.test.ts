// Goal: the adapter's per-attempt timeout, and a caller's abort, still stop a request already on the
// wire: undici gets the timeout layer's light signal (no AbortSignal per call) and must drop the socket.
// Method: a loopback server that reads the request and never answers, recording when the client closes
// it; a FakeClock drives the timeout. Were the abort lost, the call would wait for undici's own
// headers timeout (minutes) and the test would time out.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { isTimeoutError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/random.js';
import { createEnhancedAdapter } from '../../src/exchange/enhanced-nobitex-adapter/create-enhanced-adapter.js';
import { isExchangeAmbiguousError } from '../../src/exchange/errors.js';

interface SilentServer {
  readonly url: string;
  /** Requests received, and how many of them the client closed before any answer. */
  readonly counts: { received: number; closedByClient: number };
  close(): Promise<void>;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function startSilentServer(): Promise<SilentServer> {
  const counts = { received: 0, closedByClient: 0 };
  const server: Server = createServer((req, res) => {
    counts.received++;
    req.resume();
    res.on('close', () => {
      if (!res.writableEnded) counts.closedByClient++;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function setup() {
  const server = await startSilentServer();
  closers.push(server.close);
  const clock = new FakeClock();
  const { adapter } = createEnhancedAdapter({
    baseUrls: [server.url],
    auth: { kind: 'token', token: 'abcdefghij0123456789abcd' },
    userAgent: 'TraderBot/keel-test',
    clock,
    rng: createRng(3),
    // Undici's own timeouts far beyond the test: only the policy's abort can end the call.
    pool: { headersTimeoutMs: 600_000, bodyTimeoutMs: 600_000 },
    options: { timeoutMs: { orders: 2_000 }, retryReads: { attemptsMax: 1 } },
  });
  closers.push(() => adapter.close());
  return { server, clock, adapter };
}

describe('the adapter stops a request in flight', () => {
  it('on its timeout: the call rejects with TimeoutError and the socket is closed', async () => {
    const { server, clock, adapter } = await setup();
    const call = adapter.getOrderStatus({ id: 7 }).catch((error: unknown) => error);
    await vi.waitFor(() => expect(server.counts.received).toBe(1));
    await clock.advance(2_000);
    expect(isTimeoutError(await call)).toBe(true);
    await vi.waitFor(() => expect(server.counts.closedByClient).toBe(1));
  });

  it('on the caller abort: the call rejects as aborted and the socket is closed', async () => {
    const { server, adapter } = await setup();
    const caller = new AbortController();
    const call = adapter.getOrderStatus({ id: 7 }, caller.signal).catch((error: unknown) => error);
    await vi.waitFor(() => expect(server.counts.received).toBe(1));
    caller.abort(new Error('shutting down'));
    const error = await call;
    // Sent, then dropped: its outcome is unknown, with the caller's reason as the cause.
    expect(isExchangeAmbiguousError(error) && error.message).toContain('shutting down');
    await vi.waitFor(() => expect(server.counts.closedByClient).toBe(1));
  });
});
