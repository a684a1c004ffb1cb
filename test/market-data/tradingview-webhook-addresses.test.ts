// Goal: with the IP allow-list on, only TradingView's addresses get through, and X-Forwarded-For
// is believed only from a trusted proxy. Method: app.inject() with a chosen remoteAddress.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alert, createFixture, type Fixture, post, signalRows } from './webhook-fixture.js';

const TRADINGVIEW = '52.89.214.238';
const PROXY = '10.0.0.5';

let fixture: Fixture;
beforeEach(async () => {
  fixture = await createFixture({ ipAllowList: { enabled: true, trustedProxies: ['10.0.0.0/24'] } });
});
afterEach(async () => {
  await fixture.close();
});

describe('IP allow-list', () => {
  it('accepts a TradingView address and records it as the source', async () => {
    const response = await post(fixture, alert(), { remoteAddress: TRADINGVIEW });
    expect(response.statusCode).toBe(202);
    expect((await signalRows(fixture))[0]?.source_ip).toBe(TRADINGVIEW);
  });

  it('accepts an IPv4-mapped IPv6 peer of a TradingView address', async () => {
    expect((await post(fixture, alert(), { remoteAddress: `::ffff:${TRADINGVIEW}` })).statusCode).toBe(202);
  });

  it('refuses a foreign address with 401 before reading the alert', async () => {
    const response = await post(fixture, alert(), { remoteAddress: '203.0.113.9' });
    expect(response).toEqual({ statusCode: 401, body: { error: 'unauthorized' } });
    expect(fixture.events).toEqual(['received', 'rejected:auth']);
  });

  it('believes a trusted proxy: the right-most untrusted hop is the client', async () => {
    const response = await post(fixture, alert(), {
      remoteAddress: PROXY,
      headers: { 'x-forwarded-for': `198.51.100.1, ${TRADINGVIEW}, 10.0.0.7` },
    });
    expect(response.statusCode).toBe(202);
    expect((await signalRows(fixture))[0]?.source_ip).toBe(TRADINGVIEW);
  });

  it('refuses a trusted proxy forwarding a foreign client, even if TradingView appears further left', async () => {
    const response = await post(fixture, alert(), {
      remoteAddress: PROXY,
      headers: { 'x-forwarded-for': `${TRADINGVIEW}, 198.51.100.1` },
    });
    expect(response.statusCode).toBe(401);
  });

  it('ignores X-Forwarded-For from an untrusted peer', async () => {
    const response = await post(fixture, alert(), {
      remoteAddress: '203.0.113.9',
      headers: { 'x-forwarded-for': TRADINGVIEW },
    });
    expect(response).toEqual({ statusCode: 401, body: { error: 'unauthorized' } });
    expect(await signalRows(fixture)).toHaveLength(0);
  });

  it('refuses a malformed forwarded chain from a trusted proxy', async () => {
    const response = await post(fixture, alert(), {
      remoteAddress: PROXY,
      headers: { 'x-forwarded-for': `${TRADINGVIEW}, not-an-ip` },
    });
    expect(response.statusCode).toBe(401);
  });
});
