// Goal: invariant 6 — no secret (webhook passphrase, dashboard token, SMTP password, Telegram bot
// token, HMAC secret) appears in any log line, API response, dashboard file, database row or alert
// delivery record.
// Method: an in-process Keel on 0.0.0.0 with known secret values (email and Telegram channels aimed
// at dead loopback ports so deliveries fail and record errors), drive signals, a forged webhook and
// an alert, wait for the deliveries, then search everything for the values.
import { createServer } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedHeaders } from '../../src/market-data/authenticate.js';
import { PASSPHRASE, type SecurityKeel, startSecurityKeel } from './security-fixture.js';

const TOKEN = 'sec-dash-token-Ny5Tq0';
const SMTP_PASSWORD = 'sec-smtp-pass-Hk3Lw8';
const BOT_TOKEN = '123456789:sec-bot-token-Vb7Xc1';
const HMAC = 'sec-hmac-Mm2Rr6';
const SECRETS = [PASSPHRASE, TOKEN, SMTP_PASSWORD, BOT_TOKEN, HMAC];

/** A loopback port with nothing listening (connections are refused at once). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

let keel: SecurityKeel;
beforeAll(async () => {
  const port = await deadPort();
  keel = await startSecurityKeel(
    {
      KEEL_HOST: '0.0.0.0',
      KEEL_DASHBOARD_TOKEN: TOKEN,
      KEEL_SMTP_PASSWORD: SMTP_PASSWORD,
      KEEL_TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      KEEL_WEBHOOK_HMAC_SECRET: HMAC,
    },
    {
      alerts: {
        groupWaitMs: 10,
        groupIntervalMs: 10,
        routes: {
          info: ['console'],
          warning: ['email', 'telegram', 'console'],
          critical: ['email', 'telegram'],
        },
        channels: {
          email: {
            host: '127.0.0.1',
            port,
            user: 'keel',
            from: 'keel@example.invalid',
            to: ['ops@example.invalid'],
            timeoutMs: 500,
          },
          telegram: { chatIds: ['42'], apiBaseUrl: `http://127.0.0.1:${port}`, timeoutMs: 500 },
        },
      },
    },
  );
});
afterAll(async () => keel.close());

const auth = { authorization: `Bearer ${TOKEN}` };

async function fetchText(
  path: string,
  method: 'GET' | 'POST' = 'GET',
  body?: string,
  headers: Record<string, string> = auth,
) {
  const response = await request(`${keel.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  return { status: response.statusCode, text: await response.body.text() };
}

async function postWebhook(fields: Record<string, unknown>, key = HMAC) {
  const body = JSON.stringify({
    passphrase: PASSPHRASE,
    symbol: 'BTCIRT',
    side: 'buy',
    amount: '0.001',
    ...fields,
  });
  return fetchText('/webhooks/tradingview', 'POST', body, {
    'content-type': 'application/json',
    ...signedHeaders(key, body, Date.now()),
  });
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function hits(where: string, text: string): string[] {
  return SECRETS.filter((secret) => text.includes(secret)).map(
    (secret) => `${where}: ${secret.slice(0, 8)}…`,
  );
}

describe('secret scan', () => {
  it('finds no secret in logs, API answers, dashboard, database rows or alert deliveries', async () => {
    expect((await postWebhook({ id: 'scan-1' })).status).toBe(202);
    expect((await postWebhook({ id: 'scan-2', side: 'sell' })).status).toBe(202);
    expect((await postWebhook({ id: 'scan-3', amount: 'not-a-number' })).status).toBe(400);
    expect((await postWebhook({ id: 'scan-4' }, 'not-the-hmac-secret')).status).toBe(401);
    expect((await postWebhook({ id: 'scan-5', passphrase: `${PASSPHRASE}x` })).status).toBe(401);
    // A template that repeats the passphrase where it does not belong.
    expect((await postWebhook({ id: 'scan-6', comment: PASSPHRASE })).status).toBe(202);
    await keel.app.alerts.raise({
      severity: 'critical',
      source: 'security-test',
      key: 'secret-scan',
      title: 'exchange unreachable',
      details: { note: 'raised by the secret scan' },
    });
    const deliveries = () => keel.app.db.query<{ channel: string }>('SELECT channel FROM alert_deliveries');
    await until(async () => {
      const channels = new Set((await deliveries()).map((row) => row.channel));
      return channels.has('email') && channels.has('telegram');
    }, 'the email and telegram delivery records');
    await until(
      async () =>
        (await keel.app.journal.listNonTerminal()).length === 0 &&
        (await fetchText('/api/orders')).text.includes('FILLED'),
      'orders to settle',
    );
    // Wrong credentials are logged as failures: the value tried must not be, nor the right one.
    expect(
      (await fetchText('/api/status', 'GET', undefined, { authorization: `Bearer ${TOKEN}-wrong` })).status,
    ).toBe(401);

    const found: string[] = [];
    for (const path of [
      '/api/status',
      '/api/orders',
      '/api/signals',
      '/api/ledger',
      '/api/alerts',
      '/api/timeseries',
      '/metrics',
      '/',
      '/static/app.js',
      '/readyz',
      '/healthz',
    ]) {
      const { status, text } = await fetchText(path);
      expect(status, path).toBeLessThan(500);
      found.push(...hits(path, text));
    }
    const reconcile = await fetchText('/api/reconcile', 'POST');
    found.push(...hits('/api/reconcile', reconcile.text));

    const tableNames = await keel.app.db.query<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table'",
    );
    for (const { name } of tableNames) {
      const rows = await keel.app.db.query(`SELECT * FROM "${name}"`);
      found.push(...hits(`table ${name}`, JSON.stringify(rows)));
    }
    const deliveryRows = await keel.app.db.query<{ error: string | null }>(
      'SELECT error FROM alert_deliveries',
    );
    expect(deliveryRows.length).toBeGreaterThanOrEqual(2);
    // The channels aim at a dead port: failures were recorded, with error text to search.
    expect(deliveryRows.some((row) => row.error !== null && row.error.length > 0)).toBe(true);

    expect(keel.logLines.length).toBeGreaterThan(5);
    for (const [index, line] of keel.logLines.entries()) found.push(...hits(`log line ${index}`, line));
    expect(found).toEqual([]);
  });
});
