// Goal: per-endpoint limits answer HTTP 429 TooManyRequests with backOff and limit, windows slide on
// the clock, limits are per token (per IP for public data), and a token that keeps calling while
// backed off is blocked on every API for two minutes.
// Method: app.inject() on a FakeClock simulator.
import { afterEach, describe, expect, it } from 'vitest';
import { call, type Harness, harness, OTHER_TOKEN, TOKEN } from './helpers.js';

let h: Harness;
afterEach(async () => h.sim.close());

const twoAccounts = { accounts: [{ token: TOKEN }, { token: OTHER_TOKEN }] };

describe('rate limits', () => {
  it('allows 20 /market/stats calls a minute, then answers 429 with backOff and limit', async () => {
    h = harness();
    for (let i = 0; i < 20; i++)
      expect((await call(h.sim, 'GET', '/market/stats', undefined, null)).statusCode).toBe(200);
    await h.clock.advance(15_000);
    const refused = await call(h.sim, 'GET', '/market/stats', undefined, null);
    expect(refused.statusCode).toBe(429);
    expect(refused.body).toMatchObject({ status: 'failed', code: 'TooManyRequests', backOff: 45, limit: 20 });
    expect(String(refused.body.message)).toContain('45');
    await h.clock.advance(45_000);
    expect((await call(h.sim, 'GET', '/market/stats', undefined, null)).statusCode).toBe(200);
  });

  it('counts private endpoints per token and per endpoint', async () => {
    h = harness(twoAccounts);
    for (let i = 0; i < 15; i++) await call(h.sim, 'GET', '/v2/wallets');
    expect((await call(h.sim, 'GET', '/v2/wallets')).statusCode).toBe(429);
    expect((await call(h.sim, 'GET', '/v2/wallets', undefined, OTHER_TOKEN)).statusCode).toBe(200);
    expect((await call(h.sim, 'GET', '/users/profile')).statusCode).toBe(200);
  });

  it('limits orders/add to 300 per 10 minutes', async () => {
    h = harness();
    let accepted = 0;
    for (let i = 0; i < 301; i++) {
      const r = await call(h.sim, 'POST', '/market/orders/add', {
        type: 'buy',
        srcCurrency: 'btc',
        dstCurrency: 'rls',
      });
      if (r.statusCode !== 429) accepted++;
    }
    expect(accepted).toBe(300);
  });

  it('scales every limit by rateLimitScale', async () => {
    h = harness({ rateLimitScale: 2 });
    for (let i = 0; i < 40; i++)
      expect((await call(h.sim, 'GET', '/market/stats', undefined, null)).statusCode).toBe(200);
    expect((await call(h.sim, 'GET', '/market/stats', undefined, null)).statusCode).toBe(429);
  });

  it('blocks a token on all APIs for 2 minutes when it keeps calling while backed off', async () => {
    h = harness(twoAccounts);
    for (let i = 0; i < 15; i++) await call(h.sim, 'GET', '/v2/wallets');
    for (let i = 0; i < 20; i++) expect((await call(h.sim, 'GET', '/v2/wallets')).body.backOff).not.toBe(120);
    const blocked = await call(h.sim, 'GET', '/v2/wallets');
    expect(blocked.body).toMatchObject({ code: 'TooManyRequests', backOff: 120 });
    const elsewhere = await call(h.sim, 'GET', '/users/profile');
    expect(elsewhere.statusCode).toBe(429);
    expect((await call(h.sim, 'GET', '/users/profile', undefined, OTHER_TOKEN)).statusCode).toBe(200);
    await h.clock.advance(119_000);
    expect((await call(h.sim, 'GET', '/users/profile')).statusCode).toBe(429);
    await h.clock.advance(1_000);
    expect((await call(h.sim, 'GET', '/users/profile')).statusCode).toBe(200);
  });
});
