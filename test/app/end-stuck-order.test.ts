// Goal (issue 12, mode 5): the operator's way out for a stuck order is reachable over the API: it
// refuses an order that is missing or not UNKNOWN (409) and ends an UNKNOWN one EXPIRED, unsent.
// Method: a whole Keel in paper mode; the UNKNOWN order is written into its journal directly.

import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/core/decimal.js';
import { clientOrderIdFor } from '../../src/exchange/order-journal/order-intent.js';
import { type Harness, startHarness } from './app-harness.js';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ engine: { initialMode: 'HALTED' } });
});
afterAll(async () => harness.close());

const end = async (id: string, body: Record<string, unknown> = { reason: 'checked the exchange' }) => {
  const response = await request(`${harness.url}/api/orders/${id}/end`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
};

describe('POST /api/orders/:id/end', () => {
  it('refuses a missing order and ends an UNKNOWN one EXPIRED', async () => {
    expect((await end('ord-none')).status).toBe(409);
    const { journal } = harness.app;
    const { intent } = await journal.prepare({
      id: 'ord-stuck',
      signalId: 'stuck',
      clientOrderId: clientOrderIdFor('stuck'),
      market: { base: 'btc', quote: 'rls' },
      side: 'buy',
      execution: 'market',
      amount: new Decimal('0.001'),
      price: null,
      cause: 'test',
    });
    await journal.transition(intent.id, 'SUBMITTING', { cause: 'sending', patch: { submitCount: 1 } });
    await journal.transition(intent.id, 'UNKNOWN', { cause: 'timeout' });
    // Who ended it is the authenticated principal: a body naming someone else is refused.
    expect((await end('ord-stuck', { by: 'someone-else', reason: 'x' })).status).toBe(400);
    const ended = await end('ord-stuck');
    expect(ended.status).toBe(200);
    expect(ended.body.state).toBe('EXPIRED');
    expect((await journal.get('ord-stuck'))?.lastError).toMatch(/ended by an operator/);
    const audit = await journal.audit({ orderId: 'ord-stuck' });
    expect(audit.at(-1)?.cause).toBe('ended by local: checked the exchange');
    expect((await end('ord-stuck')).status).toBe(409);
  });
});
