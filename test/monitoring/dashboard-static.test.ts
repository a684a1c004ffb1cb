// Goal: the dashboard serves its one page and its assets with the right types, and no request path —
// dot segments, encoded dots or slashes, absolute paths, backslashes, NUL — reaches a file outside the
// static folder or lists it. Method: app.inject() and, because inject may normalise URLs, raw bytes on a
// real loopback socket.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDashboardApp, type DashboardFixture } from './dashboard-fixture.js';

let fixture: DashboardFixture;
beforeEach(async () => {
  fixture = await createDashboardApp();
});
afterEach(async () => {
  await fixture.app.close();
});

const ATTACKS = [
  '/static/../package.json',
  '/static/../../../../etc/passwd',
  '/static/..%2fpackage.json',
  '/static/..%2F..%2F..%2F..%2Fetc%2Fpasswd',
  '/static/%2e%2e/%2e%2e/package.json',
  '/static/%2e%2e%2f%2e%2e%2fpackage.json',
  '/static/%2E%2E%2Fdashboard-plugin.ts',
  '/static/%252e%252e%252fpackage.json',
  '/static//etc/passwd',
  '/static/%2fetc%2fpasswd',
  '/static/..%5cpackage.json',
  '/static/..\\package.json',
  '/static/app.js%00.html',
  '/static/app.js%00',
  '/static/....//package.json',
  '/static/.%2e/package.json',
  '/static/',
  '/static/.',
  '/static/dashboard-plugin.ts',
  '/static/static-files.ts',
];

/** inject() resolves these to `/` itself (the page), so only raw bytes reach the static route. */
const RAW_ONLY = ['/static/..', '/static/app.js\0.html', '/static/\\etc\\passwd'];

/** Something from each file an attacker might reach: package.json, /etc/passwd, a source file. */
const LEAKS = ['"name": "keel"', 'root:', 'dashboardPlugin', 'StaticFiles'];

function expectRefused(statusCode: number, body: string): void {
  expect([400, 404]).toContain(statusCode);
  for (const leak of LEAKS) expect(body).not.toContain(leak);
}

async function raw(path: string): Promise<{ statusCode: number; body: string }> {
  await fixture.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = fixture.app.server.address() as AddressInfo;
  const socket = connect({ host: '127.0.0.1', port });
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`, 'latin1');
  let text = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    text += chunk;
  });
  await new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { statusCode: Number(text.slice(9, 12)), body: text };
}

describe('dashboard page', () => {
  it('serves one HTML page at / with a content security policy', async () => {
    const response = await fixture.app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.body).toContain('Circuit breakers');
  });

  it('sends the security headers of @fastify/helmet, framing and inline code refused', async () => {
    const response = await fixture.app.inject({ method: 'GET', url: '/' });
    const policy = String(response.headers['content-security-policy']);
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("form-action 'none'");
    expect(policy).not.toContain('unsafe-inline');
    // Both pages' inline scripts, and nothing else.
    expect(policy.match(/'sha256-/g)).toHaveLength(2);
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['cross-origin-opener-policy']).toBe('same-origin');
  });

  it.each([
    ['app.js', 'text/javascript; charset=utf-8'],
    ['charts.js', 'text/javascript; charset=utf-8'],
    ['views.js', 'text/javascript; charset=utf-8'],
    ['dom.js', 'text/javascript; charset=utf-8'],
    ['style.css', 'text/css; charset=utf-8'],
    ['index.html', 'text/html; charset=utf-8'],
  ])('serves %s as %s, byte for byte', async (name, contentType) => {
    const response = await fixture.app.inject({ method: 'GET', url: `/static/${name}` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe(contentType);
    const onDisk = readFileSync(new URL(`../../src/monitoring/dashboard/static/${name}`, import.meta.url));
    expect(response.rawPayload.equals(onDisk)).toBe(true);
  });

  it('answers an unknown asset with 404', async () => {
    expect((await fixture.app.inject({ method: 'GET', url: '/static/uPlot.min.js' })).statusCode).toBe(404);
  });
});

describe('path traversal', () => {
  it.each(ATTACKS)('refuses %s through inject', async (path) => {
    const response = await fixture.app.inject({ method: 'GET', url: path });
    expectRefused(response.statusCode, response.body);
  });

  it.each([...ATTACKS, ...RAW_ONLY])('refuses %j as raw bytes on a socket', async (path) => {
    const response = await raw(path);
    expectRefused(response.statusCode, response.body);
  });
});
