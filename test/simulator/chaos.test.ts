// Goal: each chaos kind injects the fault it names, deterministically, scoped by path, count and
// time window on the clock; commit-then-fail leaves the order in ground truth although the client
// saw a 5xx; the HTTP control surface and schedule files drive the same controller.
// Method: app.inject() on a FakeClock simulator (socket-level faults are in chaos-socket.test.ts).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadChaosSchedule } from '../../src/exchange/simulator/index.js';
import { call, type Harness, harness, order, TOKEN } from './helpers.js';

let h: Harness;
afterEach(async () => h.sim.close());

const marketBuy = () =>
  call(h.sim, 'POST', '/market/orders/add', order({ execution: 'market', amount: '0.001' }));

describe('chaos faults', () => {
  it('delays answers by latency + jitter on the injected clock', async () => {
    h = harness();
    h.sim.chaos.add({ kind: 'latency', path: '/v2/options', latencyMs: 5_000, jitterMs: 0 });
    let done = false;
    const pending = call(h.sim, 'GET', '/v2/options', undefined, null).then((r) => {
      done = true;
      return r;
    });
    await h.clock.advance(4_999);
    expect(done).toBe(false);
    await h.clock.advance(1);
    expect((await pending).statusCode).toBe(200);
    expect(h.sim.chaos.stats().latency).toBe(1);
  });

  it('answers 5xx errors on matching paths only, up to countMax', async () => {
    h = harness();
    h.sim.chaos.add({ kind: 'error', path: '/market/*', status: 503, countMax: 2 });
    expect((await call(h.sim, 'GET', '/market/stats', undefined, null)).statusCode).toBe(503);
    expect((await call(h.sim, 'GET', '/v2/options', undefined, null)).statusCode).toBe(200);
    expect((await call(h.sim, 'GET', '/market/stats', undefined, null)).statusCode).toBe(503);
    expect((await call(h.sim, 'GET', '/market/stats', undefined, null)).statusCode).toBe(200);
    expect(h.sim.chaos.stats().error).toBe(2);
  });

  it('draws probabilistic faults from the seed: same seed, same pattern', async () => {
    const pattern = async (seed: number) => {
      h = harness({ seed, rateLimitScale: 10 });
      h.sim.chaos.add({ kind: 'error', probability: 0.5, status: 500 });
      const codes: number[] = [];
      for (let i = 0; i < 30; i++)
        codes.push((await call(h.sim, 'GET', '/v2/options', undefined, null)).statusCode);
      await h.sim.close();
      return codes;
    };
    const a = await pattern(3);
    const b = await pattern(3);
    h = harness();
    expect(b).toEqual(a);
    expect(a).toContain(500);
    expect(a).toContain(200);
  });

  it('answers 429 storms with the configured backOff', async () => {
    h = harness();
    h.sim.chaos.add({ kind: 'rateLimitStorm', path: '/market/orders/add', backOffSeconds: 12, limit: 60 });
    const { statusCode, body } = await marketBuy();
    expect(statusCode).toBe(429);
    expect(body).toMatchObject({ status: 'failed', code: 'TooManyRequests', backOff: 12, limit: 60 });
    expect(h.sim.groundTruthOrders()).toEqual([]);
  });

  it('runs an outage only inside its time window', async () => {
    h = harness();
    const now = h.clock.nowMs();
    h.sim.chaos.add({ kind: 'outage', startAtMs: now + 1_000, endAtMs: now + 3_000 });
    expect((await call(h.sim, 'GET', '/v2/options', undefined, null)).statusCode).toBe(200);
    await h.clock.advance(1_000);
    expect((await call(h.sim, 'GET', '/v2/options', undefined, null)).statusCode).toBe(503);
    expect((await call(h.sim, 'GET', '/users/profile')).statusCode).toBe(503);
    await h.clock.advance(2_000);
    expect((await call(h.sim, 'GET', '/v2/options', undefined, null)).statusCode).toBe(200);
    expect(h.sim.chaos.stats().outage).toBe(2);
  });

  it('freezes the order book while staleOrderbook is active, then serves fresh data again', async () => {
    h = harness();
    const [rule] = h.sim.chaos.add({ kind: 'staleOrderbook', path: '/v3/orderbook/*' });
    const first = await call(h.sim, 'GET', '/v3/orderbook/BTCIRT', undefined, null);
    h.sim.tick(3);
    const stale = await call(h.sim, 'GET', '/v3/orderbook/BTCIRT', undefined, null);
    expect(stale.body).toEqual(first.body);
    h.sim.chaos.clear([rule!.id]);
    const fresh = await call(h.sim, 'GET', '/v3/orderbook/BTCIRT', undefined, null);
    expect(fresh.body.lastTradePrice).toBe(h.sim.lastPrice('BTCIRT'));
    expect(fresh.body).not.toEqual(first.body);
  });

  it('drifts a balance once, at startAtMs on the clock', async () => {
    h = harness({ accounts: [{ token: TOKEN, balances: { rls: '5000000000' } }] });
    h.sim.chaos.add({
      kind: 'drift',
      token: TOKEN,
      currency: 'rls',
      delta: '-1000',
      startAtMs: h.clock.nowMs() + 500,
    });
    expect(h.sim.wallets(TOKEN).rls!.balance).toBe('5000000000');
    await h.clock.advance(500);
    expect(h.sim.wallets(TOKEN).rls!.balance).toBe('4999999000');
    await h.clock.advance(10_000);
    expect(h.sim.wallets(TOKEN).rls!.balance).toBe('4999999000');
    expect(h.sim.chaos.stats().drift).toBe(1);
  });

  it('commits the order, then answers 5xx (commitThenFail): ground truth has it', async () => {
    h = harness();
    h.sim.chaos.add({
      kind: 'commitThenFail',
      path: '/market/orders/add',
      failWith: 'error',
      status: 502,
      countMax: 1,
    });
    const response = await call(
      h.sim,
      'POST',
      '/market/orders/add',
      order({ execution: 'market', amount: '0.001', clientOrderId: 'amb-1' }),
    );
    expect(response.statusCode).toBe(502);
    expect(response.text).toContain('502');
    const [truth] = h.sim.groundTruthOrders();
    expect(truth).toMatchObject({ clientOrderId: 'amb-1', status: 'Done', matchedAmount: '0.001' });
    expect(h.sim.chaos.stats().commitThenFail).toBe(1);
  });
});

describe('socket faults under app.inject()', () => {
  it('rejects inject() on a reset and on a commit-then-reset, with the order committed', async () => {
    h = harness();
    h.sim.chaos.add({ kind: 'reset', path: '/v2/options', countMax: 1 });
    await expect(h.sim.app.inject({ method: 'GET', url: '/v2/options' })).rejects.toThrow(/reset/);
    h.sim.chaos.add({ kind: 'commitThenFail', path: '/market/orders/add', failWith: 'reset' });
    await expect(marketBuy()).rejects.toThrow(/reset/);
    expect(h.sim.groundTruthOrders()).toHaveLength(1);
  });

  it('keeps a hung inject() pending until close() drops it', async () => {
    h = harness();
    h.sim.chaos.add({ kind: 'hang', path: '/v2/options' });
    let settled = false;
    const pending = h.sim.app.inject({ method: 'GET', url: '/v2/options' }).then(
      () => 'answered',
      () => 'dropped',
    );
    void pending.then(() => {
      settled = true;
    });
    await h.clock.advance(60_000);
    expect(settled).toBe(false);
    await h.sim.close();
    expect(await pending).toBe('dropped');
  });
});

describe('chaos control surface', () => {
  it('adds, lists and clears rules over HTTP, and exposes ground-truth orders', async () => {
    h = harness();
    const added = await call(
      h.sim,
      'POST',
      '/_chaos',
      {
        action: 'add',
        rules: [{ kind: 'error', path: '/v2/options', status: 504, probability: 1 }],
      },
      null,
    );
    expect(added.statusCode).toBe(200);
    expect((await call(h.sim, 'GET', '/v2/options', undefined, null)).statusCode).toBe(504);
    const listed = await call(h.sim, 'GET', '/_chaos', undefined, null);
    expect((listed.body.rules as unknown[]).length).toBe(1);
    expect((listed.body.stats as Record<string, number>).error).toBe(1);
    await call(h.sim, 'POST', '/_chaos', { action: 'clear' }, null);
    expect((await call(h.sim, 'GET', '/v2/options', undefined, null)).statusCode).toBe(200);
    await marketBuy();
    const orders = await call(h.sim, 'GET', '/_chaos/orders', undefined, null);
    expect((orders.body.orders as { status: string }[])[0]!.status).toBe('Done');
  });

  it('closes a market over HTTP and refuses malformed rules with 400', async () => {
    h = harness();
    await call(h.sim, 'POST', '/_chaos', { action: 'setMarketClosed', symbol: 'BTCIRT', closed: true }, null);
    expect((await marketBuy()).body.code).toBe('MarketClosed');
    const bad = await call(
      h.sim,
      'POST',
      '/_chaos',
      { action: 'add', rules: [{ kind: 'error', status: 418 }] },
      null,
    );
    expect(bad.statusCode).toBe(400);
  });

  it('loads a repeatable schedule from a JSON file', async () => {
    h = harness();
    const dir = await mkdtemp(join(tmpdir(), 'keel-chaos-'));
    const file = join(dir, 'schedule.json');
    await writeFile(
      file,
      JSON.stringify({
        rules: [
          { kind: 'error', path: '/v2/options', status: 500, countMax: 1 },
          { kind: 'latency', latencyMs: 0 },
        ],
      }),
    );
    const rules = await loadChaosSchedule(file);
    h.sim.chaos.add(rules);
    expect((await call(h.sim, 'GET', '/v2/options', undefined, null)).statusCode).toBe(500);
    expect((await call(h.sim, 'GET', '/v2/options', undefined, null)).statusCode).toBe(200);
    await writeFile(file, JSON.stringify({ rules: [{ kind: 'explode' }] }));
    await expect(loadChaosSchedule(file)).rejects.toThrow();
  });
});
