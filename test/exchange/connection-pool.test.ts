// Goal: the pool isolates endpoint groups, orders its queue by priority, rejects at once when full,
// drops requests whose deadline passed in the queue, fails over to a second endpoint and fails back
// after recovery probes. Method: scripted loopback servers (real sockets) and a FakeClock for
// deadlines and probe timing; requests are held open by gates the test releases.

import { Pool } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { createRng } from '../../src/core/random.js';
import { ConnectionPool } from '../../src/exchange/connection-pool/connection-pool.js';
import type { ConnectionPoolOptions } from '../../src/exchange/connection-pool/connection-pool-options.js';
import { isRequestMaybeSentError, isRequestNotSentError } from '../../src/exchange/connection-pool/errors.js';
import type { TransportRequest } from '../../src/exchange/connection-pool/transport.js';
import {
  closedPortUrl,
  type Script,
  type ScriptedServer,
  startScriptedServer,
} from './helpers/scripted-server.js';

const servers: ScriptedServer[] = [];
const pools: ConnectionPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(script: Script, port = 0): Promise<ScriptedServer> {
  const server = await startScriptedServer(script, port);
  servers.push(server);
  return server;
}

function makePool(
  options: Partial<ConnectionPoolOptions> & Pick<ConnectionPoolOptions, 'baseUrls'>,
  clock = new FakeClock(),
) {
  const pool = new ConnectionPool({ clock, rng: createRng(7), ...options });
  pools.push(pool);
  return { pool, clock };
}

/** A server-side gate: requests wait until released. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open: () => open() };
}

const get = (path: string, extra: Partial<TransportRequest> = {}): TransportRequest => ({
  group: 'marketData',
  method: 'GET',
  path,
  headers: {},
  priority: 'low',
  ...extra,
});

const settleAll = (promises: Promise<unknown>[]) => Promise.allSettled(promises);

describe('ConnectionPool bulkheads and queue', () => {
  it('a market-data flood does not delay an order request', async () => {
    const held = gate();
    const server = await serve(async (request) => {
      if (request.path.startsWith('/v3/')) await held.opened;
      return { body: { status: 'ok', path: request.path } };
    });
    const { pool } = makePool({
      baseUrls: [server.url],
      bulkheads: {
        marketData: { concurrentMax: 2, queueMax: 50 },
        orders: { concurrentMax: 1, queueMax: 50 },
      },
    });
    const flood = Array.from({ length: 30 }, (_, i) => pool.request(get(`/v3/orderbook/X${i}`)));
    const order = await pool.request(
      get('/market/orders/add', { group: 'orders', method: 'POST', priority: 'high', body: '{}' }),
    );
    expect(order.statusCode).toBe(200);
    expect(pool.stats().groups.marketData).toEqual({ queueDepth: 28, running: 2 });
    held.open();
    const results = await settleAll(flood);
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
  });

  it('sends queued requests highest priority first', async () => {
    const held = gate();
    const server = await serve(async (request) => {
      if (request.path === '/block') await held.opened;
      return { body: '{}' };
    });
    const { pool } = makePool({ baseUrls: [server.url], bulkheads: { orders: { concurrentMax: 1 } } });
    const order = (path: string, priority: TransportRequest['priority']) =>
      pool.request(get(path, { group: 'orders', priority }));
    const blocker = order('/block', 'normal');
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    const queued = [
      order('/low', 'low'),
      order('/normal', 'normal'),
      order('/high-1', 'high'),
      order('/high-2', 'high'),
    ];
    held.open();
    await settleAll([blocker, ...queued]);
    expect(server.requests.map((r) => r.path)).toEqual(['/block', '/high-1', '/high-2', '/normal', '/low']);
  });

  it('rejects at once, unsent, when the queue is full', async () => {
    const held = gate();
    const server = await serve(async () => {
      await held.opened;
      return { body: '{}' };
    });
    const { pool } = makePool({
      baseUrls: [server.url],
      bulkheads: { account: { concurrentMax: 1, queueMax: 2 } },
    });
    const accepted = [1, 2, 3].map((i) => pool.request(get(`/a${i}`, { group: 'account' })));
    const error = await pool.request(get('/a4', { group: 'account' })).catch((e: unknown) => e);
    expect(isRequestNotSentError(error) && error.reason).toBe('queueFull');
    expect((error as Error).message).toMatch(/queue full \(2 waiting, max 2\)/);
    held.open();
    await settleAll(accepted);
    expect(server.requests.map((r) => r.path)).not.toContain('/a4');
  });

  it('rejects a request whose deadline passes in the queue without sending it', async () => {
    const held = gate();
    const server = await serve(async () => {
      await held.opened;
      return { body: '{}' };
    });
    const { pool, clock } = makePool({ baseUrls: [server.url], bulkheads: { orders: { concurrentMax: 1 } } });
    const blocker = pool.request(get('/block', { group: 'orders' }));
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    const late = pool.request(get('/late', { group: 'orders', deadlineMs: 1_000 })).catch((e: unknown) => e);
    await clock.advance(999);
    expect(pool.stats().groups.orders.queueDepth).toBe(1);
    await clock.advance(1);
    const error = await late;
    expect(isRequestNotSentError(error) && error.reason).toBe('queueDeadline');
    held.open();
    await blocker;
    expect(server.requests.map((r) => r.path)).toEqual(['/block']);
  });
});

describe('ConnectionPool failures', () => {
  it('says a refused connection was not sent and a reset after writing maybe was', async () => {
    const { pool } = makePool({ baseUrls: [await closedPortUrl()] });
    const refused = await pool.request(get('/x')).catch((e: unknown) => e);
    expect(isRequestNotSentError(refused) && refused.reason).toBe('connectRefused');
    const server = await serve(() => ({ destroy: true }));
    const { pool: second } = makePool({ baseUrls: [server.url] });
    const reset = await second.request(get('/x', { method: 'POST', body: '{}' })).catch((e: unknown) => e);
    expect(isRequestMaybeSentError(reset) && reset.reason).toBe('socketReset');
  });

  it('says a headers timeout maybe sent', async () => {
    const server = await serve(() => ({ hang: true }));
    const { pool } = makePool({ baseUrls: [server.url], headersTimeoutMs: 100 });
    const error = await pool.request(get('/slow')).catch((e: unknown) => e);
    expect(isRequestMaybeSentError(error) && error.reason).toBe('headersTimeout');
  });

  it('reads an answer up to bodySizeBytesMax and refuses a longer one as maybe sent', async () => {
    const server = await serve((request) => ({ body: 'x'.repeat(request.path === '/long' ? 4_097 : 4_096) }));
    const { pool } = makePool({ baseUrls: [server.url], bodySizeBytesMax: 4_096 });
    expect((await pool.request(get('/fits'))).bodyText).toHaveLength(4_096);
    const error = await pool.request(get('/long')).catch((e: unknown) => e);
    expect(isRequestMaybeSentError(error) && error.message).toContain('exceeds 4096 bytes');
  });

  it('recreates a destroyed undici pool', async () => {
    const server = await serve(() => ({ body: '{}' }));
    const created: Pool[] = [];
    const { pool } = makePool({
      baseUrls: [server.url],
      poolFactory: (origin, options) => {
        const undiciPool = new Pool(origin, options);
        created.push(undiciPool);
        return undiciPool;
      },
    });
    await pool.request(get('/one'));
    await created[0]?.destroy();
    expect((await pool.request(get('/two'))).statusCode).toBe(200);
    expect(created).toHaveLength(2);
  });

  it('passes explicit finite timeouts and connection limits to undici', async () => {
    const seen: Pool.Options[] = [];
    const server = await serve(() => ({ body: '{}' }));
    const { pool } = makePool({
      baseUrls: [server.url],
      poolFactory: (origin, options) => {
        seen.push(options);
        return new Pool(origin, options);
      },
    });
    await pool.request(get('/x', { group: 'account' }));
    expect(seen[0]).toMatchObject({
      connections: 2,
      connectTimeout: 5_000,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
  });

  it('rejects invalid options with the value in the message', () => {
    expect(() => makePool({ baseUrls: [] })).toThrow(/baseUrls must not be empty/);
    expect(() => makePool({ baseUrls: ['http://127.0.0.1:1'], headersTimeoutMs: 0 })).toThrow(
      /headersTimeoutMs .* was 0/,
    );
    expect(() => makePool({ baseUrls: ['http://127.0.0.1:1/api'] })).toThrow(/was http:\/\/127.0.0.1:1\/api/);
  });
});

describe('ConnectionPool failover', () => {
  it('fails over when the preferred endpoint dies and fails back after recovery probes', async () => {
    const script: Script = (request) => ({ body: { status: 'ok', path: request.path } });
    const primary = await serve(script);
    const backup = await serve(script);
    const { pool, clock } = makePool({
      baseUrls: [
        { url: primary.url, weight: 1_000 },
        { url: backup.url, weight: 1 },
      ],
      failuresToMarkDown: 2,
      probeIntervalMs: 5_000,
      probeSuccessesToRecover: 2,
    });
    const downs: string[] = [];
    const ups: string[] = [];
    pool.onEndpointDown((s) => downs.push(s.baseUrl));
    pool.onEndpointUp((s) => ups.push(s.baseUrl));
    expect((await pool.request(get('/before'))).baseUrl).toBe(primary.url);

    await primary.close();
    for (let i = 0; i < 4; i++) expect((await pool.request(get(`/during-${i}`))).baseUrl).toBe(backup.url);
    expect(downs).toEqual([primary.url]);
    expect(pool.stats().endpoints[0]).toMatchObject({ state: 'down', weight: 0 });

    await clock.advance(5_000); // first probe: primary still dead
    await vi.waitFor(() => expect(pool.stats().endpoints[0]?.lastFailureReason).toBe('probe failed'));
    const revived = await serve(script, primary.port);
    await clock.advance(5_000);
    await vi.waitFor(() => expect(revived.requests.filter((r) => r.path === '/v2/options')).toHaveLength(1));
    expect(ups).toEqual([]);
    await clock.advance(5_000);
    await vi.waitFor(() => expect(ups).toEqual([primary.url]));

    const after = await Promise.all([1, 2, 3].map((i) => pool.request(get(`/after-${i}`))));
    expect(after.map((r) => r.baseUrl)).toEqual([primary.url, primary.url, primary.url]);
    expect(
      pool.stats().hosts.find((h) => h.baseUrl === primary.url && h.group === 'marketData')?.connected,
    ).toBeGreaterThan(0);
  });

  it('still tries the least recently failed endpoint when every endpoint is down', async () => {
    const { pool } = makePool({ baseUrls: [await closedPortUrl()], failuresToMarkDown: 1 });
    await pool.request(get('/x')).catch(() => undefined);
    expect(pool.stats().endpoints[0]).toMatchObject({ state: 'down' });
    const error = await pool.request(get('/y')).catch((e: unknown) => e);
    expect(isRequestNotSentError(error) && error.reason).toBe('connectRefused');
  });

  it('sees a recovered endpoint at the next request, without waiting for a probe', async () => {
    const script = () => ({ status: 200, body: '{"status":"ok"}' });
    const first = await serve(script);
    const port = first.port;
    const { pool } = makePool({ baseUrls: [first.url], failuresToMarkDown: 1 });
    await first.close();
    await pool.request(get('/x')).catch(() => undefined);
    expect(pool.stats().endpoints[0]).toMatchObject({ state: 'down' });
    const revived = await serve(script, port);
    try {
      expect((await pool.request(get('/y'))).statusCode).toBe(200);
    } finally {
      await revived.close();
    }
  });
});

describe('ConnectionPool close', () => {
  it('rejects queued requests unsent on close and refuses new ones', async () => {
    const server = await serve(() => ({ hang: true }));
    const { pool } = makePool({ baseUrls: [server.url], bulkheads: { orders: { concurrentMax: 1 } } });
    const running = pool.request(get('/hang', { group: 'orders' })).catch((e: unknown) => e);
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    const queued = pool.request(get('/queued', { group: 'orders' })).catch((e: unknown) => e);
    await pool.close();
    const queuedError = await queued;
    expect(isRequestNotSentError(queuedError) && queuedError.reason).toBe('closed');
    expect(isRequestMaybeSentError(await running)).toBe(true);
    const after = await pool.request(get('/after')).catch((e: unknown) => e);
    expect(isRequestNotSentError(after) && after.reason).toBe('closed');
    expect(server.requests.map((r) => r.path)).toEqual(['/hang']);
  });
});
