// Goal: bound to a non-loopback address, the dashboard, /api/* and /metrics refuse requests without
// the token (401) and serve them with it (200); static paths never reach a file outside static/.
// Method: an in-process Keel on 0.0.0.0 with a dashboard token, reached via 127.0.0.1 only; path
// traversal goes over a raw socket so that no client normalises the target.
import { readFile } from 'node:fs/promises';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawGet, type SecurityKeel, startSecurityKeel } from './security-fixture.js';

const TOKEN = 'sec-dashboard-token-K4p1';
let keel: SecurityKeel;
beforeAll(async () => {
  // Many wrong tokens from one address are sent on purpose: the throttle has its own test.
  keel = await startSecurityKeel(
    { KEEL_HOST: '0.0.0.0', KEEL_DASHBOARD_TOKEN: TOKEN },
    { dashboard: { authFailuresMax: 1_000 } },
  );
});
afterAll(async () => keel.close());

const PROTECTED = [
  '/',
  '/static/app.js',
  '/api/status',
  '/api/orders',
  '/api/signals',
  '/api/ledger',
  '/api/alerts',
  '/api/timeseries',
  '/metrics',
];

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await request(`${keel.url}${path}`, { headers });
  const body = await response.body.text();
  return { status: response.statusCode, body };
}

describe('access control on a non-loopback address', () => {
  it('answers 401 without credentials and with a wrong token, on every operator route', async () => {
    for (const path of PROTECTED) {
      expect((await get(path)).status, path).toBe(401);
      expect((await get(path, { authorization: 'Bearer wrong-token' })).status, path).toBe(401);
      expect((await get(path, { authorization: `Bearer ${TOKEN}x` })).status, path).toBe(401);
      expect(
        (await get(path, { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` })).status,
        path,
      ).toBe(401);
    }
    const reconcile = await request(`${keel.url}/api/reconcile`, {
      method: 'POST',
      headers: { 'x-keel-request': 'test' },
    });
    await reconcile.body.text();
    expect(reconcile.statusCode).toBe(401);
    const mode = await request(`${keel.url}/api/engine/mode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'HALTED', reason: 'attacker' }),
    });
    await mode.body.text();
    expect(mode.statusCode).toBe(401);
    expect(keel.app.killSwitch.mode).toBe('RUNNING');
  });

  it('answers 200 with the bearer token on every operator route', async () => {
    for (const path of PROTECTED)
      expect((await get(path, { authorization: `Bearer ${TOKEN}` })).status, path).toBe(200);
  });

  it('leaves liveness and the webhook reachable without the dashboard token', async () => {
    expect((await get('/healthz')).status).toBe(200);
    const webhook = await request(`${keel.url}/webhooks/tradingview`, { method: 'POST', body: '{}' });
    await webhook.body.text();
    expect(webhook.statusCode).toBe(401);
  });
});

describe('path traversal on static files', () => {
  it('never serves a file outside static/, whatever the encoding', async () => {
    const packageJson = await readFile(new URL('../../package.json', import.meta.url), 'utf8');
    const devDependencies = /"devDependencies"/;
    expect(packageJson).toMatch(devDependencies);
    const targets = [
      '/static/../../package.json',
      '/static/../../../../../../etc/passwd',
      '/static/..%2f..%2fpackage.json',
      '/static/%2e%2e/%2e%2e/package.json',
      '/static/%2e%2e%2f%2e%2e%2fpackage.json',
      '/static/..%5c..%5cpackage.json',
      '/static/..\\..\\package.json',
      '/static/%252e%252e%252fpackage.json',
      '/static/..%c0%af..%c0%afpackage.json',
      '/static/%00../package.json',
      '/static//etc/passwd',
      '/static/app.js/../../../package.json',
      '/static/./../package.json',
      '/../package.json',
      '/static/%2fetc%2fpasswd',
    ];
    for (const target of targets) {
      for (const headers of [[], [`Authorization: Bearer ${TOKEN}`]]) {
        const response = await rawGet(keel.port, target, headers);
        expect([200, 400, 401, 403, 404]).toContain(response.status);
        expect(response.body).not.toMatch(devDependencies);
        expect(response.body).not.toContain('root:x:0:0');
      }
    }
  });

  it('still serves the real static files with the token', async () => {
    const response = await rawGet(keel.port, '/static/app.js', [`Authorization: Bearer ${TOKEN}`]);
    expect(response.status).toBe(200);
    expect(response.body.length).toBeGreaterThan(100);
  });
});
