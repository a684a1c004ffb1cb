// Goal: access is decided by who connects. From this machine straight to a loopback listener the
// dashboard and API need no credentials; through a proxy (any forwarding header) or on a public bind
// every request needs a session cookie, the bearer token or basic auth, else 401; a login becomes an
// HttpOnly SameSite=Strict cookie; `?token=` in URLs is gone; the audit names the authenticated
// principal whatever the body says; repeated failed logins from one address get 429 and are reported;
// the webhook stays outside this guard; no response ever carries a secret.
// Method: app.inject() against apps built with different bind hosts.
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuthFailure } from '../../src/monitoring/api/access-control.js';
import { createDashboardApp, type DashboardFixture } from './dashboard-fixture.js';

const TOKEN = 'tok-5f2c8a1e9d';
const PASSWORD = 'pw-b7e4c19a';
const token = { reveal: () => TOKEN };
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const JSON_HEADERS = { 'content-type': 'application/json' };

let fixture: DashboardFixture | undefined;
afterEach(async () => {
  await fixture?.app.close();
  fixture = undefined;
});

interface Route {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly payload?: Record<string, unknown>;
}

const ROUTES: readonly Route[] = [
  { method: 'GET', url: '/' },
  { method: 'GET', url: '/static/app.js' },
  { method: 'GET', url: '/api/status' },
  { method: 'GET', url: '/api/alerts?limit=5' },
  { method: 'GET', url: '/api/orders' },
  { method: 'GET', url: '/api/ledger' },
  { method: 'POST', url: '/api/engine/mode', payload: { mode: 'HALTED', reason: 'test' } },
];

function expectNoSecret(response: LightMyRequestResponse): void {
  const everything = response.body + JSON.stringify(response.headers);
  expect(everything).not.toContain(TOKEN);
  expect(everything).not.toContain(PASSWORD);
}

async function send(route: Route, headers: Record<string, string> = {}, remoteAddress?: string) {
  const response = await fixture!.app.inject({
    method: route.method,
    url: route.url,
    headers: { ...(route.payload === undefined ? {} : JSON_HEADERS), ...headers },
    ...(route.payload === undefined ? {} : { payload: route.payload }),
    ...(remoteAddress === undefined ? {} : { remoteAddress }),
  });
  expectNoSecret(response);
  return response;
}

describe.each(['127.0.0.1', '::1', 'localhost'])('bound to loopback %s', (host) => {
  it.each(ROUTES.filter((route) => route.method === 'GET'))(
    '$method $url from this machine needs no credentials',
    async (route) => {
      fixture = await createDashboardApp({ access: { host } });
      expect((await send(route)).statusCode).toBe(200);
    },
  );

  it.each(ROUTES)(
    '$method $url through a proxy (X-Forwarded-For) is 401 without credentials',
    async (route) => {
      fixture = await createDashboardApp({ access: { host, token } });
      expect((await send(route, { 'x-forwarded-for': '203.0.113.7' })).statusCode).toBe(401);
      expect(fixture.source.modeChanges).toEqual([]);
    },
  );

  it('treats a request from another machine as remote', async () => {
    fixture = await createDashboardApp({ access: { host, token } });
    expect((await send(ROUTES[2]!, {}, '10.0.0.8')).statusCode).toBe(401);
  });
});

describe('bound to 0.0.0.0 with a token and basic auth', () => {
  const create = async (extra: { authFailuresMax?: number } = {}) => {
    fixture = await createDashboardApp({
      access: {
        host: '0.0.0.0',
        token,
        basicAuth: { user: 'ops', password: { reveal: () => PASSWORD } },
        ...extra,
      },
    });
  };

  it.each(ROUTES)('$method $url without credentials is 401 with WWW-Authenticate', async (route) => {
    await create();
    const response = await send(route);
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Basic realm="keel"/);
    if (route.url === '/') expect(response.body).toContain('<form id="login">');
    else expect(response.json()).toEqual({ error: 'unauthorized' });
  });

  it.each(ROUTES)('$method $url with a wrong token or password is 401', async (route) => {
    await create();
    for (const authorization of [
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      'Bearer',
      basic('ops', 'wrong'),
      basic('root', PASSWORD),
      basic('ops', ''),
      `Basic ${Buffer.from('no-colon').toString('base64')}`,
      TOKEN,
    ])
      expect((await send(route, { authorization })).statusCode).toBe(401);
  });

  it.each(ROUTES)('$method $url with the right bearer token is 200', async (route) => {
    await create();
    expect((await send(route, { authorization: `Bearer ${TOKEN}` })).statusCode).toBe(200);
  });

  it.each(ROUTES)('$method $url with the right basic auth is 200', async (route) => {
    await create();
    expect((await send(route, { authorization: basic('ops', PASSWORD) })).statusCode).toBe(200);
  });

  it('accepts no ?token= in a URL', async () => {
    await create();
    expect((await send({ method: 'GET', url: `/api/status?token=${TOKEN}` })).statusCode).toBe(401);
    expect((await send({ method: 'GET', url: `/?token=${TOKEN}` })).statusCode).toBe(401);
    const withToken = await send(
      { method: 'GET', url: `/api/alerts?token=${TOKEN}` },
      { authorization: `Bearer ${TOKEN}` },
    );
    expect(withToken.statusCode).toBe(400);
  });

  it('logs in once: POST /api/session sets an HttpOnly SameSite=Strict cookie that then authenticates', async () => {
    await create();
    const login = await send(
      { method: 'POST', url: '/api/session', payload: {} },
      { authorization: `Bearer ${TOKEN}` },
    );
    expect(login.statusCode).toBe(200);
    expect(login.json()).toEqual({ principal: 'token' });
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/^keel_session=/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toMatch(/Secure/);
    const cookie = setCookie.split(';')[0]!;
    expect((await send(ROUTES[2]!, { cookie })).statusCode).toBe(200);
    const halted = await send(ROUTES[6]!, { cookie });
    expect(halted.statusCode).toBe(200);
    expect(fixture!.source.modeChanges).toEqual([{ mode: 'HALTED', by: 'token', reason: 'test' }]);
    // A tampered or expired cookie is nothing.
    expect((await send(ROUTES[2]!, { cookie: `${cookie.slice(0, -2)}xx` })).statusCode).toBe(401);
    await fixture!.clock.advance(fixture!.access.settings.sessionTtlMs + 1);
    expect((await send(ROUTES[2]!, { cookie })).statusCode).toBe(401);
  });

  it('marks the cookie Secure when the browser came over HTTPS through the proxy', async () => {
    await create();
    const login = await send(
      { method: 'POST', url: '/api/session', payload: {} },
      { authorization: basic('ops', PASSWORD), 'x-forwarded-proto': 'https' },
    );
    expect(String(login.headers['set-cookie'])).toMatch(/; Secure/);
  });

  it('gives a browser that loads the page with basic auth a session cookie, and logs out', async () => {
    await create();
    const page = await send(ROUTES[0]!, { authorization: basic('ops', PASSWORD) });
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    expect(cookie).toMatch(/^keel_session=/);
    const logout = await fixture!.app.inject({
      method: 'DELETE',
      url: '/api/session',
      headers: { cookie, 'x-keel-request': 'logout' },
    });
    expect(logout.statusCode).toBe(204);
    expect(String(logout.headers['set-cookie'])).toMatch(/^keel_session=;/);
  });

  it('records the authenticated principal; a `by` in the body is refused, never recorded', async () => {
    await create();
    const alert = fixture!.source.raiseAlert({ severity: 'critical', source: 'x', key: 'k', title: 't' });
    const ack = (payload: Record<string, unknown>) =>
      send(
        { method: 'POST', url: `/api/alerts/${alert.id}/ack`, payload },
        { authorization: basic('ops', PASSWORD) },
      );
    expect((await ack({ by: 'mallory' })).statusCode).toBe(400);
    const response = await ack({});
    expect(response.json().acknowledgedBy).toBe('ops');
    const mode = await send(
      { method: 'POST', url: '/api/engine/mode', payload: { mode: 'HALTED', reason: 'r', by: 'mallory' } },
      { authorization: `Bearer ${TOKEN}` },
    );
    expect(mode.statusCode).toBe(400);
    expect(fixture!.source.modeChanges).toEqual([]);
  });

  it('answers 429 to an address after repeated failed logins, even with the right token, and reports it', async () => {
    await create({ authFailuresMax: 3 });
    const failures: AuthFailure[] = [];
    fixture!.access.onAuthFailure((failure) => failures.push(failure));
    const attacker = '198.51.100.23';
    for (let attempt = 0; attempt < 3; attempt++)
      expect((await send(ROUTES[2]!, { authorization: 'Bearer guess' }, attacker)).statusCode).toBe(401);
    const blocked = await send(ROUTES[2]!, { authorization: `Bearer ${TOKEN}` }, attacker);
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(failures).toEqual([
      { clientAddress: attacker, throttled: false },
      { clientAddress: attacker, throttled: false },
      { clientAddress: attacker, throttled: true },
    ]);
    // Another address, and requests without credentials, are not counted against anyone.
    expect((await send(ROUTES[2]!, { authorization: `Bearer ${TOKEN}` }, '198.51.100.24')).statusCode).toBe(
      200,
    );
  });

  it('leaves the webhook route outside the guard', async () => {
    await create();
    const response = await fixture!.app.inject({ method: 'POST', url: '/webhooks/tradingview', payload: {} });
    expect(response.statusCode).toBe(200);
  });
});

describe('bound to 0.0.0.0 with a token only', () => {
  it('asks for a bearer token', async () => {
    fixture = await createDashboardApp({ access: { host: '0.0.0.0', token } });
    const response = await send(ROUTES[2]!);
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="keel"');
    expect((await send(ROUTES[2]!, { authorization: basic('ops', PASSWORD) })).statusCode).toBe(401);
  });
});
