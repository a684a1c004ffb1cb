// Goal: a bad request never disturbs a good one: for each class of bad input, a valid alert sent
// before, alongside and after it is stored exactly once and its copies are answered as duplicates.
// Method: app.inject(), the bad request raced against copies of one valid alert; rows are counted.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signedHeaders } from '../../src/market-data/authenticate.js';
import { alert, createFixture, type Fixture, type PostOptions, post, signalRows } from './webhook-fixture.js';

const TRADINGVIEW = '52.89.214.238';
const SECRET = 'signing-key';

let fixture: Fixture;
beforeEach(async () => {
  fixture = await createFixture({
    ipAllowList: { enabled: true, trustedProxies: ['10.0.0.5'] },
    hmacSecret: SECRET,
  });
});
afterEach(async () => {
  await fixture.close();
});

interface BadCase {
  readonly name: string;
  readonly body: string;
  readonly options?: PostOptions;
  readonly statusCode: number;
}

const BAD_CASES: readonly BadCase[] = [
  { name: 'wrong passphrase', body: alert({ passphrase: 'nope' }), statusCode: 401 },
  { name: 'foreign IP', body: alert(), options: { remoteAddress: '203.0.113.9' }, statusCode: 401 },
  {
    name: 'untrusted proxy',
    body: alert(),
    options: { remoteAddress: '203.0.113.9', headers: { 'x-forwarded-for': TRADINGVIEW } },
    statusCode: 401,
  },
  {
    name: 'bad HMAC',
    body: alert(),
    options: { headers: { 'x-keel-signature': `sha256=${'0'.repeat(64)}` } },
    statusCode: 401,
  },
  { name: 'malformed JSON', body: '{"symbol": "BTCIRT"', statusCode: 400 },
  { name: 'unknown symbol', body: alert({ symbol: 'XYZEUR' }), statusCode: 400 },
  { name: 'missing side', body: alert({ action: undefined }), statusCode: 400 },
  { name: 'missing size', body: alert({ amount: undefined }), statusCode: 400 },
  { name: 'negative size', body: alert({ amount: '-3' }), statusCode: 400 },
  { name: 'absurd size', body: alert({ amount: '9'.repeat(45) }), statusCode: 400 },
  { name: 'oversized body', body: alert({ strategy: 'y'.repeat(17_000) }), statusCode: 413 },
  { name: 'stale alert', body: alert({ timenow: '2025-12-31T12:00:00Z' }), statusCode: 400 },
];

describe.each(BAD_CASES)('a valid alert next to $name', (bad) => {
  it('is stored exactly once while the bad one is refused', async () => {
    const valid = alert({ id: 'valid-1', strategy: 'isolation' });
    const options: PostOptions = { remoteAddress: TRADINGVIEW };
    const before = await post(fixture, valid, options);
    const [refused, alongside] = await Promise.all([
      post(fixture, bad.body, { remoteAddress: TRADINGVIEW, ...bad.options }),
      post(fixture, valid, options),
    ]);
    const after = await post(fixture, valid, {
      ...options,
      headers: signedHeaders(SECRET, valid, fixture.clock.nowMs()),
    });
    expect(refused?.statusCode).toBe(bad.statusCode);
    expect(before.statusCode).toBe(202);
    const firstId = before.body['signalId'];
    expect(alongside).toEqual({ statusCode: 200, body: { status: 'duplicate', signalId: firstId } });
    expect(after).toEqual({ statusCode: 200, body: { status: 'duplicate', signalId: firstId } });
    const rows = await signalRows(fixture);
    expect(rows.map((row) => row.id)).toEqual([firstId]);
  });
});

describe('a valid alert next to a stopped intake', () => {
  it('is stored once after the intake resumes, never while it is stopped', async () => {
    fixture.accepting = false;
    const valid = alert({ id: 'valid-2' });
    expect((await post(fixture, valid, { remoteAddress: TRADINGVIEW })).statusCode).toBe(503);
    fixture.accepting = true;
    const accepted = await post(fixture, valid, { remoteAddress: TRADINGVIEW });
    expect(accepted.statusCode).toBe(202);
    expect(await signalRows(fixture)).toHaveLength(1);
  });
});
