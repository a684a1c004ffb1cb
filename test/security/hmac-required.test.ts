// Goal: with webhook.hmacRequired, an unsigned or wrongly signed webhook is refused (401, nothing
// stored) even with the right passphrase, and a correctly signed one is accepted. Method: a whole Keel.
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { signBody } from '../../src/market-data/authenticate.js';
import { type Harness, PASSPHRASE, startHarness } from '../app/app-harness.js';

const HMAC_SECRET = 'hmac-secret-for-tests-0123456789';

describe('required webhook signatures', () => {
  let harness: Harness | undefined;
  afterEach(async () => harness?.close());

  it('refuses unsigned and badly signed webhooks and accepts signed ones', async () => {
    harness = await startHarness(
      {},
      { KEEL_WEBHOOK_HMAC_SECRET: HMAC_SECRET, KEEL_WEBHOOK_HMAC_REQUIRED: 'true' },
    );
    const body = JSON.stringify({ passphrase: PASSPHRASE, symbol: 'BTCIRT', side: 'buy', amount: '0.001' });
    const now = String(Date.now());
    const send = async (signature?: string) => {
      const response = await request(`${harness?.url}/webhooks/tradingview`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(signature === undefined ? {} : { 'x-keel-signature': signature, 'x-keel-timestamp': now }),
        },
        body,
      });
      return { status: response.statusCode, json: (await response.body.json()) as Record<string, unknown> };
    };
    expect(await send()).toEqual({ status: 401, json: { error: 'unauthorized' } });
    expect((await send(`sha256=${'0'.repeat(64)}`)).status).toBe(401);
    expect(await harness.app.signals.list({ limit: 10 })).toEqual([]);
    const signed = await send(signBody(HMAC_SECRET, body, Number(now)));
    expect(signed.status).toBe(202);
  });
});
