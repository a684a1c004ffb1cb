// Goal: forged, replayed, oversized and slow webhooks get exact statuses and store nothing.
// Method: an in-process Keel with an HMAC secret; fastify inject for the body checks, a raw
// loopback socket for the slow body.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBody, signedHeaders } from '../../src/market-data/authenticate.js';
import { PASSPHRASE, type SecurityKeel, startSecurityKeel } from './security-fixture.js';

const HMAC = 'sec-hmac-secret-Z81';
let keel: SecurityKeel;
/** Fixed per test file: every default signature in it is made at this instant. */
const timestamp = String(Date.now());
beforeAll(async () => {
  keel = await startSecurityKeel({ KEEL_WEBHOOK_HMAC_SECRET: HMAC });
});
afterAll(async () => keel.close());

const alert = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({ passphrase: PASSPHRASE, symbol: 'BTCIRT', side: 'buy', amount: '0.001', ...fields });

const signedNow = (secret: string, body: string | Buffer) => signBody(secret, body, Number(timestamp));

async function post(body: string, signature: string | undefined = signedNow(HMAC, body)) {
  const response = await keel.app.server.inject({
    method: 'POST',
    url: '/webhooks/tradingview',
    headers: {
      'content-type': 'application/json',
      ...(signature === undefined ? {} : { 'x-keel-signature': signature, 'x-keel-timestamp': timestamp }),
    },
    payload: body,
  });
  return { status: response.statusCode, body: response.json() as Record<string, unknown> };
}

const signalCount = async () =>
  Number((await keel.app.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM signals'))[0]?.n);

describe('forged and replayed webhooks', () => {
  it('answers 401 for a wrong passphrase, with a valid signature, and stores nothing', async () => {
    const before = await signalCount();
    for (const passphrase of ['wrong', '', PASSPHRASE.toUpperCase(), `${PASSPHRASE} `, 12345])
      expect(await post(alert({ passphrase, id: `wp-${String(passphrase)}` }))).toEqual({
        status: 401,
        body: { error: 'unauthorized' },
      });
    expect(await post(JSON.stringify({ symbol: 'BTCIRT', side: 'buy', amount: '0.001' }))).toEqual({
      status: 401,
      body: { error: 'unauthorized' },
    });
    expect(await signalCount()).toBe(before);
  });

  it('answers 401 for a signature that does not match the body, is malformed, or signs other bytes', async () => {
    const before = await signalCount();
    const body = alert({ id: 'hmac-1' });
    for (const signature of [
      signedNow('other-secret', body),
      signedNow(HMAC, `${body} `),
      'sha256=zz',
      `sha1=${signedNow(HMAC, body).slice(7)}`,
      '',
    ])
      expect((await post(body, signature)).status).toBe(401);
    expect(await signalCount()).toBe(before);
    expect((await post(body, signedNow(HMAC, body))).status).toBe(202);
  });

  it('accepts a signed request once: the same signed body three times makes one signal', async () => {
    const before = await signalCount();
    const body = alert({ strategy: 'replayed' });
    const headers = signedHeaders(HMAC, body, Date.now());
    const send = async () => {
      const response = await keel.app.server.inject({
        method: 'POST',
        url: '/webhooks/tradingview',
        headers: { 'content-type': 'application/json', ...headers },
        payload: body,
      });
      return { status: response.statusCode, body: response.json() as Record<string, unknown> };
    };
    const first = await send();
    expect(first.status).toBe(202);
    for (const _ of [1, 2])
      expect(await send()).toEqual({
        status: 200,
        body: { status: 'duplicate', signalId: first.body.signalId },
      });
    expect(await signalCount()).toBe(before + 1);
  });

  it('answers 401 for a signature without a timestamp, or with one too old or too far ahead', async () => {
    const before = await signalCount();
    const body = alert({ strategy: 'timestamps' });
    const at = (offsetMs: number) => signedHeaders(HMAC, body, Date.now() + offsetMs);
    for (const headers of [
      { 'x-keel-signature': signBody(HMAC, body, Date.now()) },
      at(-301_000),
      at(301_000),
      { ...at(0), 'x-keel-timestamp': 'yesterday' },
    ]) {
      const response = await keel.app.server.inject({
        method: 'POST',
        url: '/webhooks/tradingview',
        headers: { 'content-type': 'application/json', ...headers },
        payload: body,
      });
      expect(response.statusCode).toBe(401);
    }
    expect(await signalCount()).toBe(before);
  });

  it('answers 400 stale for an old or far-future timenow, and 200 duplicate for a replayed id', async () => {
    const old = new Date(Date.now() - 3_600_000).toISOString();
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(await post(alert({ id: 'stale-1', timenow: old }))).toMatchObject({
      status: 400,
      body: { error: 'stale alert' },
    });
    expect(await post(alert({ id: 'stale-2', timenow: future }))).toMatchObject({
      status: 400,
      body: { error: 'stale alert' },
    });
    const first = await post(alert({ id: 'replay-1' }));
    expect(first.status).toBe(202);
    const again = await post(alert({ id: 'replay-1' }));
    expect(again).toEqual({ status: 200, body: { status: 'duplicate', signalId: first.body.signalId } });
  });

  it('answers 413 for an oversized body and 400 for a body that is not UTF-8', async () => {
    const huge = alert({ id: 'big', pad: 'x'.repeat(2_000_000) });
    const response = await keel.app.server.inject({
      method: 'POST',
      url: '/webhooks/tradingview',
      headers: { 'content-type': 'application/json', ...signedHeaders(HMAC, huge, Date.now()) },
      payload: huge,
    });
    expect(response.statusCode).toBe(413);
    const bad = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const invalid = await keel.app.server.inject({
      method: 'POST',
      url: '/webhooks/tradingview',
      headers: { 'content-type': 'application/json', ...signedHeaders(HMAC, bad, Date.now()) },
      payload: bad,
    });
    expect(invalid.statusCode).toBe(400);
  });

  it('answers 408 to a body that trickles in too slowly, and closes the connection', async () => {
    const before = await signalCount();
    const body = alert({ id: 'slow-1' });
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: keel.port });
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        text += chunk;
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(text));
      socket.write(
        `POST /webhooks/tradingview HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nX-Keel-Signature: ${signedNow(HMAC, body)}\r\nX-Keel-Timestamp: ${timestamp}\r\n\r\n${body.slice(0, 5)}`,
      );
      // Nothing more is sent: the intake's read timeout (≤ 2.5 s) must answer and close.
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(await signalCount()).toBe(before);
  });
});
