// Goal: on a loopback bind the dashboard and API are open; on any other bind every dashboard and API
// request needs the bearer token (header, or ?token= on GET) or basic auth, else 401 with
// WWW-Authenticate; the webhook stays outside this guard; no response ever carries a secret.
// Method: app.inject() against apps built with different bind hosts.
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboardApp, type DashboardFixture } from './dashboard-fixture.js';

const TOKEN = 'tok-5f2c8a1e9d';
const PASSWORD = 'pw-b7e4c19a';
const token = { reveal: () => TOKEN };
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

let fixture: DashboardFixture | undefined;
afterEach(async () => {
  await fixture?.app.close();
  fixture = undefined;
});

const ROUTES = [
  { method: 'GET' as const, url: '/' },
  { method: 'GET' as const, url: '/static/app.js' },
  { method: 'GET' as const, url: '/api/status' },
  { method: 'GET' as const, url: '/api/alerts?limit=5' },
  { method: 'GET' as const, url: '/api/orders' },
  { method: 'GET' as const, url: '/api/ledger' },
  { method: 'POST' as const, url: '/api/engine/mode', payload: { mode: 'HALTED', reason: 'test' } },
];

function expectNoSecret(response: LightMyRequestResponse): void {
  const everything = response.body + JSON.stringify(response.headers);
  expect(everything).not.toContain(TOKEN);
  expect(everything).not.toContain(PASSWORD);
}

async function send(route: (typeof ROUTES)[number], headers: Record<string, string> = {}, query = '') {
  const url = route.url + (query === '' ? '' : (route.url.includes('?') ? '&' : '?') + query);
  const response = await fixture!.app.inject({ method: route.method, url, headers, payload: route.payload });
  expectNoSecret(response);
  return response;
}

describe.each(['127.0.0.1', '::1', 'localhost'])('bound to loopback %s', (host) => {
  it.each(ROUTES)('$method $url needs no credentials', async (route) => {
    fixture = await createDashboardApp({ access: { host } });
    expect((await send(route)).statusCode).toBe(200);
  });
});

describe('bound to 0.0.0.0 with a token and basic auth', () => {
  const create = async () => {
    fixture = await createDashboardApp({
      access: { host: '0.0.0.0', token, basicAuth: { user: 'ops', password: { reveal: () => PASSWORD } } },
    });
  };

  it.each(ROUTES)('$method $url without credentials is 401 with WWW-Authenticate', async (route) => {
    await create();
    const response = await send(route);
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Basic realm="keel"/);
    expect(response.json()).toEqual({ error: 'unauthorized' });
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

  it('accepts ?token= on GET (for EventSource) but not on POST', async () => {
    await create();
    expect((await send({ method: 'GET', url: '/api/status' }, {}, `token=${TOKEN}`)).statusCode).toBe(200);
    expect((await send({ method: 'GET', url: '/api/status' }, {}, 'token=nope')).statusCode).toBe(401);
    const post = ROUTES.find((route) => route.method === 'POST')!;
    expect((await send(post, {}, `token=${TOKEN}`)).statusCode).toBe(401);
    expect(fixture!.source.modeChanges).toEqual([]);
  });

  it('never hands the query token on to the source', async () => {
    await create();
    await send({ method: 'GET', url: '/api/alerts?limit=5' }, {}, `token=${TOKEN}`);
    expect(fixture!.source.alertQueries).toEqual([{ limit: 5 }]);
  });

  it('records the basic user as who acknowledged', async () => {
    await create();
    const alert = fixture!.source.raiseAlert({ severity: 'critical', source: 'x', key: 'k', title: 't' });
    const response = await fixture!.app.inject({
      method: 'POST',
      url: `/api/alerts/${alert.id}/ack`,
      headers: { authorization: basic('ops', PASSWORD) },
    });
    expect(response.json().acknowledgedBy).toBe('ops');
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
