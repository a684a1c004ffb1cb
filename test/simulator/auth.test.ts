// Goal: both auth paths behave like Nobitex: Token header, Ed25519 signed headers (±30 s window,
// standard and URL-safe base64, query string and raw body signed), DRF 401 bodies, IP lockout.
// Method: app.inject() with a FakeClock; keys from node:crypto.
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { AUTH_INVALID_DETAIL, AUTH_MISSING_DETAIL } from '../../src/exchange/simulator/index.js';
import { call, type Harness, harness, TOKEN } from './helpers.js';

let h: Harness;
afterEach(async () => h.sim.close());

const API_TOKEN = '0123456789abcdef0123456789abcdef01234567';

function keyed(): { h: Harness; privateKey: KeyObject; publicKeyBase64: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicKeyBase64 = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url').toString(
    'base64',
  );
  const harnessed = harness({
    accounts: [
      { token: TOKEN, balances: { rls: '1000000000' } },
      { token: API_TOKEN, apiKey: { publicKeyBase64 }, balances: { rls: '5000000000', btc: '1' } },
    ],
  });
  return { h: harnessed, privateKey, publicKeyBase64 };
}

function signedHeaders(
  privateKey: KeyObject,
  publicKeyBase64: string,
  options: {
    method: string;
    url: string;
    body: string;
    timestampSec: number;
    encoding: 'base64' | 'base64url';
  },
): Record<string, string> {
  const message = `${options.timestampSec}${options.method}${options.url}${options.body}`;
  return {
    'nobitex-key': publicKeyBase64,
    'nobitex-timestamp': String(options.timestampSec),
    'nobitex-signature': sign(null, Buffer.from(message), privateKey).toString(options.encoding),
  };
}

describe('token authentication', () => {
  it('accepts `Authorization: Token <token>`', async () => {
    h = harness();
    const { statusCode, body } = await call(h.sim, 'GET', '/users/profile');
    expect(statusCode).toBe(200);
    expect(body.status).toBe('ok');
    expect(typeof body.websocketAuthParam).toBe('string');
  });

  it('answers 401 with the Persian "not provided" detail when no credentials are sent', async () => {
    h = harness();
    const { statusCode, body } = await call(h.sim, 'GET', '/v2/wallets', undefined, null);
    expect(statusCode).toBe(401);
    expect(body).toEqual({ detail: AUTH_MISSING_DETAIL });
  });

  it('treats a bare token without the `Token ` prefix as missing credentials', async () => {
    h = harness();
    const response = await h.sim.app.inject({
      method: 'GET',
      url: '/v2/wallets',
      headers: { authorization: TOKEN },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ detail: AUTH_MISSING_DETAIL });
  });

  it('answers 401 "invalid token" for an unknown token', async () => {
    h = harness();
    const { statusCode, body } = await call(h.sim, 'GET', '/v2/wallets', undefined, 'b'.repeat(40));
    expect(statusCode).toBe(401);
    expect(body).toEqual({ detail: AUTH_INVALID_DETAIL });
  });

  it('locks an IP out after more than 100 failed attempts within 30 minutes, even with a good token', async () => {
    h = harness();
    for (let i = 0; i < 101; i++) await call(h.sim, 'GET', '/v2/wallets', undefined, 'c'.repeat(40));
    const locked = await call(h.sim, 'GET', '/v2/wallets');
    expect(locked.statusCode).toBe(429);
    expect(locked.body.code).toBe('TooManyRequests');
    expect(locked.body.backOff).toBe(1800);
    await h.clock.advance(30 * 60_000);
    expect((await call(h.sim, 'GET', '/v2/wallets')).statusCode).toBe(200);
  });
});

describe('Ed25519 API-key authentication', () => {
  it.each(['base64', 'base64url'] as const)(
    'accepts a valid %s signature over path with query',
    async (encoding) => {
      const k = keyed();
      h = k.h;
      const url = '/market/orders/list?status=all&details=2';
      const headers = signedHeaders(k.privateKey, k.publicKeyBase64, {
        method: 'GET',
        url,
        body: '',
        timestampSec: Math.floor(h.clock.nowMs() / 1000),
        encoding,
      });
      const response = await h.sim.app.inject({ method: 'GET', url, headers });
      expect(response.statusCode).toBe(200);
      expect(response.json().status).toBe('ok');
    },
  );

  it('signs the raw JSON body and trades as the key owner', async () => {
    const k = keyed();
    h = k.h;
    const body = JSON.stringify({
      type: 'sell',
      srcCurrency: 'btc',
      dstCurrency: 'rls',
      amount: '0.01',
      execution: 'market',
    });
    const headers = signedHeaders(k.privateKey, k.publicKeyBase64, {
      method: 'POST',
      url: '/market/orders/add',
      body,
      timestampSec: Math.floor(h.clock.nowMs() / 1000),
      encoding: 'base64url',
    });
    const response = await h.sim.app.inject({
      method: 'POST',
      url: '/market/orders/add',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: body,
    });
    expect(response.json().status).toBe('ok');
    expect(h.sim.groundTruthOrders()[0]!.token).toBe(API_TOKEN);
  });

  it('refuses a timestamp more than 30 s away from the clock', async () => {
    const k = keyed();
    h = k.h;
    const nowSec = Math.floor(h.clock.nowMs() / 1000);
    for (const [timestampSec, expected] of [
      [nowSec - 29, 200],
      [nowSec - 31, 401],
      [nowSec + 31, 401],
    ] as const) {
      const headers = signedHeaders(k.privateKey, k.publicKeyBase64, {
        method: 'GET',
        url: '/users/profile',
        body: '',
        timestampSec,
        encoding: 'base64',
      });
      const response = await h.sim.app.inject({ method: 'GET', url: '/users/profile', headers });
      expect(response.statusCode).toBe(expected);
    }
  });

  it('refuses a signature made over a different path (query string left out)', async () => {
    const k = keyed();
    h = k.h;
    const headers = signedHeaders(k.privateKey, k.publicKeyBase64, {
      method: 'GET',
      url: '/market/orders/list',
      body: '',
      timestampSec: Math.floor(h.clock.nowMs() / 1000),
      encoding: 'base64',
    });
    const response = await h.sim.app.inject({
      method: 'GET',
      url: '/market/orders/list?status=all',
      headers,
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ detail: AUTH_INVALID_DETAIL });
  });

  it('refuses a key signed by another private key', async () => {
    const k = keyed();
    h = k.h;
    const other = generateKeyPairSync('ed25519').privateKey;
    const headers = signedHeaders(other, k.publicKeyBase64, {
      method: 'GET',
      url: '/users/profile',
      body: '',
      timestampSec: Math.floor(h.clock.nowMs() / 1000),
      encoding: 'base64',
    });
    const response = await h.sim.app.inject({ method: 'GET', url: '/users/profile', headers });
    expect(response.statusCode).toBe(401);
  });

  it('refuses a public key in the wrong length at construction', () => {
    expect(() =>
      harness({
        accounts: [{ token: API_TOKEN, apiKey: { publicKeyBase64: Buffer.alloc(16).toString('base64') } }],
      }),
    ).toThrow(/32 bytes/);
    h = harness();
  });
});
