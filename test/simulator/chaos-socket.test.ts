// Goal: socket-level faults behave like a broken network on a real listener: reset drops the
// connection, hang never answers (the client must time out), commit-then-fail places the order
// before the answer is lost, and close() never waits on a hung connection.
// Method: a real loopback listener on port 0; short real timeouts on the client side only.
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulatorServer } from '../../src/exchange/simulator/index.js';
import { type Harness, harness, TOKEN } from './helpers.js';

let h: Harness;
let url: string;
afterEach(async () => h.sim.close());

async function listening(): Promise<void> {
  h = harness();
  url = await h.sim.listen({ host: '127.0.0.1', port: 0 });
}

const placeMarketBuy = (clientOrderId: string, timeoutMs = 2_000) =>
  fetch(`${url}/market/orders/add`, {
    method: 'POST',
    headers: { authorization: `Token ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'buy',
      execution: 'market',
      srcCurrency: 'btc',
      dstCurrency: 'rls',
      amount: '0.001',
      clientOrderId,
    }),
    signal: AbortSignal.timeout(timeoutMs),
  });

describe('socket faults on a real listener', () => {
  it('resets the connection, then serves normally once the rule is spent', async () => {
    await listening();
    h.sim.chaos.add({ kind: 'reset', path: '/v2/options', countMax: 1 });
    await expect(fetch(`${url}/v2/options`)).rejects.toThrow();
    const ok = await fetch(`${url}/v2/options`);
    expect(ok.status).toBe(200);
    expect(h.sim.chaos.stats().reset).toBe(1);
  });

  it('hangs until the client gives up, and close() still completes', async () => {
    await listening();
    h.sim.chaos.add({ kind: 'hang', path: '/v2/options' });
    await expect(fetch(`${url}/v2/options`, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    h.sim.chaos.add({ kind: 'hang', path: '/market/stats' });
    const stuck = fetch(`${url}/market/stats`).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await h.sim.close();
    expect(await stuck).toBeInstanceOf(Error);
  });

  it('commits the order then resets the connection: the client sees an error, ground truth has the order', async () => {
    await listening();
    h.sim.chaos.add({ kind: 'commitThenFail', path: '/market/orders/add', failWith: 'reset' });
    await expect(placeMarketBuy('amb-reset')).rejects.toThrow();
    expect(h.sim.groundTruthOrders()).toMatchObject([{ clientOrderId: 'amb-reset', status: 'Done' }]);
  });

  it('commits the order then hangs: the client times out, ground truth has the order', async () => {
    await listening();
    h.sim.chaos.add({ kind: 'commitThenFail', path: '/market/orders/add', failWith: 'hang' });
    await expect(placeMarketBuy('amb-hang', 200)).rejects.toThrow();
    expect(h.sim.groundTruthOrders()).toMatchObject([{ clientOrderId: 'amb-hang' }]);
  });

  it('resets every matching request during a reset-mode outage', async () => {
    await listening();
    h.sim.chaos.add({ kind: 'outage', mode: 'reset', path: '/v3/*' });
    await expect(fetch(`${url}/v3/orderbook/BTCIRT`)).rejects.toThrow();
    await expect(fetch(`${url}/v3/orderbook/USDTIRT`)).rejects.toThrow();
    expect((await fetch(`${url}/v2/trades/BTCIRT`)).status).toBe(200);
  });
});

describe('startSimulatorServer', () => {
  it('listens on loopback with a real clock and closes', async () => {
    h = harness();
    const server = await startSimulatorServer({ host: '127.0.0.1', port: 0, seed: 1 });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${server.url}/v3/orderbook/BTCIRT`);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { status: string }).status).toBe('ok');
    } finally {
      await server.close();
    }
  });
});
