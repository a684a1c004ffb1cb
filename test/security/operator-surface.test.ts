// Goal: the deployment the README recommends (Keel behind a reverse proxy) does not open the operator
// surface to the Internet. On loopback a state-changing request still needs to be Keel's own (JSON or
// X-Keel-Request, and an own Origin / Sec-Fetch-Site) and every request a Host that is one of Keel's
// names; proxied requests need credentials; the operator surface can have a listener of its own; slow
// headers and piled-up connections are cut off; failed logins are counted and alerted on.
// Method: whole in-process Keels on loopback, reached with undici and raw sockets.
import { connect, type Socket } from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { PASSPHRASE, rawRequest, type SecurityKeel, startSecurityKeel } from './security-fixture.js';

const TOKEN = 'operator-token-0123456789abcdef';
let keel: SecurityKeel | undefined;
afterEach(async () => {
  await keel?.close();
  keel = undefined;
});

async function call(
  url: string,
  options: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string } = {},
) {
  const response = await request(url, {
    method: options.method ?? 'GET',
    headers: options.headers ?? {},
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  return { status: response.statusCode, body: await response.body.text() };
}

const HALT = JSON.stringify({ mode: 'HALTED', reason: 'security test' });

describe('on loopback, without credentials', () => {
  it('refuses a foreign Host before any route runs, and answers its own names', async () => {
    keel = await startSecurityKeel();
    const port = keel.port;
    for (const path of ['/', '/api/status', '/metrics', '/healthz', '/webhooks/tradingview']) {
      for (const host of ['evil.example', `evil.example:${port}`, 'keel.example.com', '10.13.13.13.nip.io']) {
        const response = await rawRequest(port, `GET ${path} HTTP/1.1\r\nHost: ${host}`);
        expect(response.status, `${host} ${path}`).toBe(421);
      }
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, '127.0.0.1'])
      expect((await rawRequest(port, `GET /api/status HTTP/1.1\r\nHost: ${host}`)).status, host).toBe(200);
  });

  it('answers a configured public host name', async () => {
    keel = await startSecurityKeel({ KEEL_PUBLIC_HOSTS: 'keel.example.com' });
    const response = await rawRequest(keel.port, 'GET /healthz HTTP/1.1\r\nHost: keel.example.com');
    expect(response.status).toBe(200);
  });

  it('refuses cross-site state changes and accepts the dashboard’s own and the CLI’s', async () => {
    keel = await startSecurityKeel();
    const own = keel.url;
    const mode = (headers: Record<string, string>, body = HALT) =>
      call(`${own}/api/engine/mode`, { method: 'POST', headers, body });
    // The example: an empty text/plain POST to reconcile from another site.
    const reconcile = await call(`${own}/api/reconcile`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'http://evil.example' },
      body: '',
    });
    expect(reconcile.status).toBe(403);
    expect((await mode({ 'content-type': 'text/plain' })).status).toBe(403);
    expect((await mode({ 'content-type': 'application/x-www-form-urlencoded' }, 'mode=HALTED')).status).toBe(
      403,
    );
    expect((await mode({ 'content-type': 'application/json', origin: 'http://evil.example' })).status).toBe(
      403,
    );
    expect((await mode({ 'content-type': 'application/json', origin: 'null' })).status).toBe(403);
    expect(
      (await mode({ 'content-type': 'application/json', origin: own, 'sec-fetch-site': 'cross-site' }))
        .status,
    ).toBe(403);
    expect(
      (await mode({ 'content-type': 'application/json', origin: `http://localhost:${keel.port + 1}` }))
        .status,
    ).toBe(403);
    expect(keel.app.killSwitch.mode).toBe('RUNNING');

    const dashboard = await mode({
      'content-type': 'application/json',
      origin: own,
      'sec-fetch-site': 'same-origin',
    });
    expect(dashboard.status).toBe(200);
    expect(keel.app.killSwitch.mode).toBe('HALTED');
    const cli = await mode(
      { 'content-type': 'application/json', 'x-keel-request': 'cli' },
      JSON.stringify({ mode: 'RUNNING', reason: 'back' }),
    );
    expect(cli.status).toBe(200);
    expect(keel.app.killSwitch.mode).toBe('RUNNING');
  });
});

describe('behind a reverse proxy', () => {
  it('refuses proxied operator requests without credentials and serves them with the token', async () => {
    keel = await startSecurityKeel({
      KEEL_WEBHOOK_TRUSTED_PROXIES: '127.0.0.1',
      KEEL_DASHBOARD_TOKEN: TOKEN,
    });
    const json = { 'content-type': 'application/json' };
    for (const path of ['/', '/api/status', '/api/orders', '/api/events', '/metrics'])
      expect((await call(`${keel.url}${path}`)).status, path).toBe(401);
    expect(
      (await call(`${keel.url}/api/engine/mode`, { method: 'POST', headers: json, body: HALT })).status,
    ).toBe(401);
    expect(keel.app.killSwitch.mode).toBe('RUNNING');
    const bearer = { authorization: `Bearer ${TOKEN}` };
    for (const path of ['/', '/api/status', '/metrics'])
      expect((await call(`${keel.url}${path}`, { headers: bearer })).status, path).toBe(200);
    expect((await call(`${keel.url}/healthz`)).status).toBe(200);
  });

  it('treats any forwarding header as a proxied request even without trusted proxies', async () => {
    keel = await startSecurityKeel();
    for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip'])
      expect((await call(`${keel.url}/api/status`, { headers: { [header]: '203.0.113.5' } })).status).toBe(
        401,
      );
  });

  it('is refused in production when the operator surface shares the proxied listener without credentials', () => {
    const loaded = loadConfig({
      env: {
        KEEL_ENV: 'production',
        KEEL_WEBHOOK_PASSPHRASE: PASSPHRASE.repeat(2),
        KEEL_WEBHOOK_TRUSTED_PROXIES: '127.0.0.1',
      },
      cwd: '/nonexistent',
    });
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.problems.map((problem) => problem.path)).toEqual(['dashboard.token']);
  });

  it('counts and alerts on repeated failed logins, then answers 429', async () => {
    keel = await startSecurityKeel(
      { KEEL_WEBHOOK_TRUSTED_PROXIES: '127.0.0.1', KEEL_DASHBOARD_TOKEN: TOKEN },
      { dashboard: { authFailuresMax: 2 } },
    );
    const wrong = { authorization: 'Bearer not-the-token' };
    const statuses = [];
    for (let attempt = 0; attempt < 3; attempt++)
      statuses.push((await call(`${keel.url}/api/status`, { headers: wrong })).status);
    expect(statuses).toEqual([401, 401, 429]);
    const metrics = await keel.app.metrics.registry.metrics();
    expect(metrics).toMatch(/keel_auth_failures_total\{result="refused"\} 1/);
    expect(metrics).toMatch(/keel_auth_failures_total\{result="throttled"\} 1/);
    await expect
      .poll(() => keel?.app.alerts.openAlerts().map((alert) => alert.key))
      .toContain('auth.throttled.127.0.0.1');
  });
});

describe('a listener of its own for the operator surface', () => {
  it('serves only the webhook and probes on the webhook listener, the dashboard on the other', async () => {
    keel = await startSecurityKeel({ KEEL_OPERATOR_PORT: '0', KEEL_WEBHOOK_TRUSTED_PROXIES: '127.0.0.1' });
    for (const path of ['/', '/api/status', '/metrics'])
      expect((await call(`${keel.url}${path}`)).status, path).toBe(404);
    expect((await call(`${keel.url}/healthz`)).status).toBe(200);
    const webhook = await call(`${keel.url}/webhooks/tradingview`, { method: 'POST', body: '{}' });
    expect(webhook.status).toBe(401);
    const operator = keel.app.operatorUrl;
    expect(operator).toBeDefined();
    expect(operator).not.toBe(keel.app.server.listeningOrigin);
    // Trusted proxies front the webhook listener only: straight local requests to this one need nothing.
    for (const path of ['/', '/api/status', '/metrics'])
      expect((await call(`${operator}${path}`)).status, path).toBe(200);
    expect(
      (await call(`${operator}/api/status`, { headers: { 'x-forwarded-for': '203.0.113.5' } })).status,
    ).toBe(401);
  });
});

describe('slow and piled-up connections', () => {
  const open = (port: number) =>
    new Promise<Socket>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
      socket.on('error', reject);
    });
  const closed = (socket: Socket) =>
    new Promise<string>((resolve) => {
      let text = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        text += chunk;
      });
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(text));
    });

  it('closes a client that does not finish its headers within headersTimeoutMs', async () => {
    keel = await startSecurityKeel({}, { server: { headersTimeoutMs: 1_000, requestTimeoutMs: 2_000 } });
    const socket = await open(keel.port);
    const ended = closed(socket);
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    const answer = await ended;
    expect(answer === '' || /^HTTP\/1\.1 408/.test(answer)).toBe(true);
  }, 15_000);

  it('closes connections beyond connectionsMax at once and keeps serving the others', async () => {
    keel = await startSecurityKeel({}, { server: { connectionsMax: 3 } });
    const held = [await open(keel.port), await open(keel.port), await open(keel.port)];
    const extra = await open(keel.port);
    const extraEnded = closed(extra);
    extra.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(await extraEnded).toBe('');
    const first = held[0]!;
    const firstEnded = closed(first);
    first.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    expect(await firstEnded).toMatch(/^HTTP\/1\.1 200/);
    for (const socket of held) socket.destroy();
  });
});
