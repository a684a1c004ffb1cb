// Goal: POST /webhooks/tradingview answers each kind of input with its exact status and body,
// stores accepted signals before answering, and never stores a refused or duplicate one.
// Method: app.inject() against the plugin on in-memory SQLite with a fake clock; rows are queried.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/random.js';
import { signedHeaders } from '../../src/market-data/authenticate.js';
import { legacyDedupKey } from '../../src/market-data/dedup-key.js';
import { SignalStore } from '../../src/market-data/signal-store.js';
import type { Database } from '../../src/storage/database.js';
import { SqliteDatabase } from '../../src/storage/sqlite-database.js';
import {
  alert,
  createFixture,
  type Fixture,
  NOW_MS,
  PASSPHRASE,
  post,
  signalRows,
} from './webhook-fixture.js';

let fixture: Fixture;
beforeEach(async () => {
  fixture = await createFixture();
});
afterEach(async () => {
  await fixture.close();
});

describe('accepted signals', () => {
  it('commits a JSON market buy and answers 202 with its id', async () => {
    const response = await post(fixture, alert());
    expect(response.statusCode).toBe(202);
    expect(response.body).toEqual({ status: 'accepted', signalId: expect.stringMatching(/^[0-9A-Z]{26}$/) });
    const rows = await signalRows(fixture);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row.id).toBe(response.body['signalId']);
    expect(row).toMatchObject({ symbol: 'BTCIRT', side: 'buy', state: 'received', source_ip: '127.0.0.1' });
    expect(JSON.parse(row.payload)).toEqual({
      symbol: 'BTCIRT',
      base: 'btc',
      quote: 'rls',
      side: 'buy',
      size: { kind: 'base', amount: '0.01' },
      order: { type: 'market' },
      strategy: 's1',
      alertAtMs: NOW_MS,
      alertTimeSource: 'alert',
      receivedAtMs: NOW_MS,
    });
    expect(row.raw).not.toContain(PASSPHRASE);
    expect(row.raw).not.toContain('passphrase');
    expect(fixture.events).toEqual(['received', 'accepted']);
  });

  it('reads JSON sent as text/plain', async () => {
    const response = await post(fixture, alert({ symbol: 'NOBITEX:BTCIRT' }), { contentType: 'text/plain' });
    expect(response.statusCode).toBe(202);
    expect((await signalRows(fixture))[0]?.symbol).toBe('BTCIRT');
  });

  it('reads the plain command form with key=value pairs, a limit order on NOBITEX:ETHIRT', async () => {
    const body = `sell NOBITEX:ETHIRT 0.5 type=limit price=123450000 passphrase=${PASSPHRASE} id=abc strategy=s1`;
    const response = await post(fixture, body, { contentType: 'text/plain; charset=utf-8' });
    expect(response.statusCode).toBe(202);
    const row = (await signalRows(fixture))[0]!;
    expect(JSON.parse(row.payload)).toMatchObject({
      symbol: 'ETHIRT',
      side: 'sell',
      size: { kind: 'base', amount: '0.5' },
      order: { type: 'limit', price: '123450000' },
      clientId: 'abc',
      alertTimeSource: 'received',
    });
    expect(row.raw).toBe('sell NOBITEX:ETHIRT 0.5 type=limit price=123450000 id=abc strategy=s1');
  });

  it.each([
    [
      { amount: undefined, value: '5000000' },
      { kind: 'quote', value: '5000000' },
    ],
    [
      { amount: undefined, percent: '25' },
      { kind: 'percent', percent: '25' },
    ],
    [
      { amount: undefined, qty: '0.0100' },
      { kind: 'base', amount: '0.01' },
    ],
    [
      { amount: undefined, contracts: 2 },
      { kind: 'base', amount: '2' },
    ],
    [
      { amount: undefined, action: undefined, position_size: '-0.5' },
      { kind: 'target', position: '-0.5' },
    ],
  ])('accepts the size form %j', async (fields, size) => {
    const response = await post(fixture, alert(fields));
    expect(response.statusCode).toBe(202);
    expect(JSON.parse((await signalRows(fixture))[0]!.payload).size).toEqual(size);
  });

  it.each([
    ['missing', undefined],
    ['odd', 'application/x-www-form-urlencoded'],
    ['malformed', 'not a media type;;;'],
  ])('treats a %s content type as text', async (_name, contentType) => {
    const response = await post(fixture, `buy btc-rls 0.01 passphrase=${PASSPHRASE}`, { contentType });
    expect(response.statusCode).toBe(202);
  });

  it('reads numbers losslessly: a long decimal keeps every digit', async () => {
    const body = alert({ amount: undefined }).replace('{', '{"amount":0.123456789012345678901234567890,');
    expect((await post(fixture, body)).statusCode).toBe(202);
    expect(JSON.parse((await signalRows(fixture))[0]!.payload).size.amount).toBe(
      '0.12345678901234567890123456789',
    );
  });
});

describe('authentication', () => {
  it.each([
    ['a wrong passphrase', alert({ passphrase: 'guess' })],
    ['no passphrase', alert({ passphrase: undefined })],
    ['a passphrase that is not text', alert({ passphrase: 12345 })],
  ])('refuses %s with 401 and nothing stored', async (_name, body) => {
    const response = await post(fixture, body);
    expect(response).toEqual({ statusCode: 401, body: { error: 'unauthorized' } });
    expect(await signalRows(fixture)).toHaveLength(0);
    expect(fixture.events).toEqual(['received', 'rejected:auth']);
  });

  it('never writes the passphrase to the log', async () => {
    await post(fixture, alert());
    await post(fixture, alert({ passphrase: `${PASSPHRASE}x` }));
    await post(fixture, alert({ amount: '-1' }));
    expect(fixture.logLines.length).toBeGreaterThan(2);
    expect(fixture.logLines.join('\n')).not.toContain(PASSPHRASE);
  });
});

describe('bad input', () => {
  it('answers malformed JSON with 400 and where it broke', async () => {
    const response = await post(fixture, '{"action": "buy", ');
    expect(response.statusCode).toBe(400);
    expect(response.body).toEqual({
      error: 'invalid signal',
      problems: [{ field: 'body', message: expect.stringMatching(/^malformed JSON near position \d+$/) }],
    });
  });

  // A well-formed symbol of any coin passes the door (the exchange's list decides, in the engine);
  // a symbol in no quote Nobitex has cannot name a market at all.
  it('answers an unknown symbol with 400 naming it', async () => {
    const response = await post(fixture, alert({ symbol: 'FOOEUR' }));
    expect(response).toEqual({
      statusCode: 400,
      body: { error: 'invalid signal', problems: [{ field: 'symbol', message: 'unknown symbol "FOOEUR"' }] },
    });
  });

  it('lists every problem at once: missing side and missing size', async () => {
    const response = await post(fixture, alert({ action: undefined, amount: undefined }));
    expect(response.statusCode).toBe(400);
    expect(response.body['problems']).toEqual([
      {
        field: 'size',
        message:
          'missing size: give exactly one size: amount (base), value (quote), percent, or position (target)',
      },
      { field: 'side', message: 'missing side: give side or action (buy or sell)' },
    ]);
  });

  it.each([
    ['-0.5', 'amount must be greater than 0, was -0.5'],
    ['0', 'amount must be greater than 0, was 0'],
    ['5000000000', 'amount is above the limit 1000000000, was 5000000000'],
    ['1e50', 'amount is out of range, was 1e50'],
    ['12345678901234567890.12345678901234567890123', 'amount has more than 40 digits'],
    ['abc', 'amount is not a decimal number, was "abc"'],
    [
      '{{strategy.order.contracts}}',
      'placeholder "{{strategy.order.contracts}}" was not replaced by TradingView',
    ],
  ])('refuses the size %s with 400', async (amount, message) => {
    const response = await post(fixture, alert({ amount }));
    expect(response).toEqual({
      statusCode: 400,
      body: { error: 'invalid signal', problems: [{ field: 'size', message }] },
    });
  });

  it('refuses a limit order without a price and a percent above 100 together', async () => {
    const response = await post(fixture, alert({ amount: undefined, percent: '150', type: 'LIMIT' }));
    expect(response.body['problems']).toEqual([
      { field: 'size', message: 'percent is above the limit 100, was 150' },
      { field: 'price', message: 'a limit order needs a price greater than 0' },
    ]);
  });

  it('answers an oversized body with 413 and a clear message', async () => {
    const response = await post(fixture, alert({ strategy: 'x'.repeat(20_000) }));
    expect(response).toEqual({
      statusCode: 413,
      body: { error: 'payload too large', message: 'the body is larger than the limit of 16384 bytes' },
    });
    expect(fixture.events).toEqual(['received', 'rejected:too_large']);
  });

  it('refuses an alert older than alertAgeMaxMs as stale', async () => {
    const response = await post(fixture, alert({ timenow: '2026-01-01T11:54:59Z' }));
    expect(response).toEqual({
      statusCode: 400,
      body: {
        error: 'stale alert',
        message: 'the alert fired 301000 ms ago, more than the 300000 ms allowed',
      },
    });
    expect(fixture.events).toEqual(['received', 'rejected:stale']);
  });

  it('refuses an alert dated too far in the future', async () => {
    const response = await post(fixture, alert({ timenow: '2026-01-01T12:05:00Z' }));
    expect(response.statusCode).toBe(400);
    expect(response.body['error']).toBe('stale alert');
  });

  it('answers 503 while the intake is stopped, and reads nothing', async () => {
    fixture.accepting = false;
    expect(await post(fixture, alert())).toEqual({ statusCode: 503, body: { error: 'unavailable' } });
    expect(await signalRows(fixture)).toHaveLength(0);
  });
});

describe('storage failure', () => {
  it('answers 503 when the store cannot commit, so nothing is acknowledged that is not on disk', async () => {
    await fixture.close();
    fixture = await createFixture({
      store: {
        accept: async () => {
          throw new Error('disk full');
        },
      },
    });
    expect(await post(fixture, alert())).toEqual({ statusCode: 503, body: { error: 'unavailable' } });
    expect(fixture.events).toEqual(['received', 'rejected:unavailable']);
  });

  it('answers 503 to every request of a batch whose shared commit fails, and stores none of them', async () => {
    const real = new SqliteDatabase({ path: ':memory:' });
    let commits = 0;
    const failing: Database = {
      dialect: real.dialect,
      query: (sql, params) => real.query(sql, params),
      execute: (sql, params) => real.execute(sql, params),
      migrate: (migrations) => real.migrate(migrations),
      ping: () => real.ping(),
      close: () => real.close(),
      // The batch's rows are written, then the commit fails: all of them roll back together.
      transaction: (fn) =>
        real.transaction(async (tx) => {
          await fn(tx);
          commits += 1;
          throw new Error('disk I/O error');
        }),
    };
    const store = new SignalStore({ db: failing, clock: fixture.clock, rng: createRng(7) });
    await store.migrate();
    await fixture.close();
    fixture = await createFixture({ store });
    const answers = await Promise.all(
      ['a', 'b', 'c'].map((id) =>
        post(fixture, alert({ id, amount: `0.0${id === 'a' ? 1 : id === 'b' ? 2 : 3}` })),
      ),
    );
    expect(answers).toEqual(
      Array.from({ length: 3 }, () => ({ statusCode: 503, body: { error: 'unavailable' } })),
    );
    expect(commits).toBe(1); // one shared commit for the three
    expect(await real.query('SELECT id FROM signals')).toEqual([]);
    await real.close();
  });
});

describe('duplicates', () => {
  it('answers a repeated alert with 200 and the first id, stored once', async () => {
    const first = await post(fixture, alert());
    const second = await post(fixture, alert({ amount: '0.010' }));
    expect(second).toEqual({
      statusCode: 200,
      body: { status: 'duplicate', signalId: first.body['signalId'] },
    });
    expect(await signalRows(fixture)).toHaveLength(1);
    expect(fixture.events.filter((event) => event !== 'received')).toEqual(['accepted', 'duplicate']);
  });

  it('uses the explicit id when present: same id, different content is a duplicate', async () => {
    const first = await post(fixture, alert({ id: 'order-17' }));
    const second = await post(fixture, alert({ id: 'order-17', amount: '0.02' }));
    expect(second.body).toEqual({ status: 'duplicate', signalId: first.body['signalId'] });
  });

  it('recognises a copy of an alert an earlier version stored under its former key', async () => {
    for (const body of [alert(), alert({ id: 'order-18' })]) {
      const first = await post(fixture, body);
      const signalId = String(first.body['signalId']);
      const [row] = await fixture.db.query<{ payload: string }>('SELECT payload FROM signals WHERE id = ?', [
        signalId,
      ]);
      await fixture.db.execute('UPDATE signals SET dedup_key = ? WHERE id = ?', [
        legacyDedupKey(JSON.parse(String(row?.payload))),
        signalId,
      ]);
      expect((await post(fixture, body)).body).toEqual({ status: 'duplicate', signalId });
    }
    expect(await signalRows(fixture)).toHaveLength(2);
  });

  it('stores concurrent copies of one alert exactly once', async () => {
    const responses = await Promise.all(Array.from({ length: 8 }, () => post(fixture, alert())));
    const accepted = responses.filter((response) => response.statusCode === 202);
    expect(accepted).toHaveLength(1);
    const ids = new Set(responses.map((response) => response.body['signalId']));
    expect(ids.size).toBe(1);
    expect(await signalRows(fixture)).toHaveLength(1);
  });
});

describe('HMAC signatures', () => {
  const secret = 'signing-key';
  beforeEach(async () => {
    await fixture.close();
    fixture = await createFixture({ hmacSecret: secret });
  });

  it('accepts a body with a good signature', async () => {
    const body = alert();
    const response = await post(fixture, body, {
      headers: signedHeaders(secret, body, fixture.clock.nowMs()),
    });
    expect(response.statusCode).toBe(202);
  });

  it('refuses a bad signature with 401 even with the right passphrase', async () => {
    const body = alert();
    const response = await post(fixture, body, {
      headers: signedHeaders('other', body, fixture.clock.nowMs()),
    });
    expect(response).toEqual({ statusCode: 401, body: { error: 'unauthorized' } });
  });

  it('accepts an unsigned body unless signatures are required', async () => {
    expect((await post(fixture, alert())).statusCode).toBe(202);
    await fixture.close();
    fixture = await createFixture({ hmacSecret: secret, hmacRequired: true });
    expect((await post(fixture, alert())).statusCode).toBe(401);
  });
});
