// Goal (issue 15): the exchange client trades through a proxy (SOCKS5 or HTTP, with credentials) against
// the simulator, keeping its pool per endpoint group, and a dead proxy is a connect failure that is
// counted against that endpoint and fails over to the next base URL, never an unknown order.
// Method: real simulators and real proxies on 127.0.0.1; the proxies record what they tunnelled.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExchangeStack } from '../../src/app/exchange-stack.js';
import { configSchema } from '../../src/config/schema.js';
import { FakeClock } from '../../src/core/clock.js';
import { Decimal, floorToStep, parseDecimal } from '../../src/core/decimal.js';
import { createRng } from '../../src/core/random.js';
import type { EnhancedAdapterStack } from '../../src/exchange/enhanced-nobitex-adapter/index.js';
import { AdapterVerificationGateway } from '../../src/exchange/enhanced-nobitex-adapter/index.js';
import {
  createSimulator,
  SIMULATOR_DEFAULT_TOKEN,
  type Simulator,
} from '../../src/exchange/simulator/index.js';
import { silentLogger } from '../../src/logging/logger.js';
import { chooseProxy } from '../../src/net/proxy-route.js';
import { startHttpProxy, startSocksProxy, type TestProxy } from '../support/proxies.js';
import { buildStack, drive } from './helpers/adapter-harness.js';

const BTC_RLS = { base: 'btc', quote: 'rls' } as const;
const credentials = { user: 'trader', password: 'proxy-secret-1' };

let clock: FakeClock;
const closers: (() => Promise<void>)[] = [];
let stack: EnhancedAdapterStack | undefined;

beforeEach(() => {
  clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
});
afterEach(async () => {
  await stack?.adapter.close();
  stack = undefined;
  for (const close of closers.splice(0).reverse()) await close();
});

async function startSim(): Promise<{ sim: Simulator; url: string }> {
  const sim = createSimulator({ seed: 42, clock, priceTickMs: 0 });
  const url = await sim.listen({ host: '127.0.0.1', port: 0 });
  closers.push(() => sim.close());
  return { sim, url };
}

async function started(proxy: Promise<TestProxy>): Promise<TestProxy> {
  const running = await proxy;
  closers.push(() => running.close());
  return running;
}

function limitBuy(sim: Simulator, clientOrderId: string, amount = '0.001') {
  const last = parseDecimal(sim.lastPrice('BTCIRT'), 'lastPrice');
  return {
    market: BTC_RLS,
    side: 'buy' as const,
    execution: 'limit' as const,
    amount: new Decimal(amount),
    price: floorToStep(last.times('0.99'), new Decimal('10')),
    clientOrderId,
  };
}

describe('exchange client through a proxy', () => {
  it.each([
    ['SOCKS5', startSocksProxy],
    ['HTTP', startHttpProxy],
  ])('places and verifies an order through a %s proxy, keeping the pool', async (_name, start) => {
    const { sim, url } = await startSim();
    const proxy = await started(start(credentials));
    stack = buildStack({
      baseUrls: [url],
      clock,
      token: SIMULATOR_DEFAULT_TOKEN,
      pool: { routeFor: (baseUrl) => chooseProxy({ setting: proxy.url, target: baseUrl }) },
    });
    const gateway = new AdapterVerificationGateway({ adapter: stack.adapter, clock });
    const outcome = await drive(clock, gateway.placeOrder(limitBuy(sim, 'px-1')));
    expect(outcome.kind).toBe('accepted');
    expect(sim.groundTruthOrders().filter((order) => order.clientOrderId === 'px-1')).toHaveLength(1);
    const found = await drive(clock, gateway.getOpenOrderByClientOrderId('px-1'));
    expect(found?.clientOrderId).toBe('px-1');
    expect(proxy.visits.length).toBeGreaterThanOrEqual(1);
    expect(proxy.visits.every((visit) => visit.target === new URL(url).host && visit.user === 'trader')).toBe(
      true,
    );
    const orders = stack.pool.stats().hosts.find((host) => host.group === 'orders');
    expect(orders?.connected).toBeGreaterThanOrEqual(1);
  });

  it('counts a dead proxy against its endpoint and fails over to the next base URL', async () => {
    const first = await startSim();
    const second = await startSim();
    const dead = await startSocksProxy();
    const deadUrl = dead.url;
    await dead.close();
    stack = buildStack({
      baseUrls: [
        { url: first.url, weight: 1_000 },
        { url: second.url, weight: 1 },
      ],
      clock,
      token: SIMULATOR_DEFAULT_TOKEN,
      pool: {
        failuresToMarkDown: 2,
        routeFor: (baseUrl) =>
          chooseProxy({ setting: baseUrl === first.url ? deadUrl : 'direct', target: baseUrl }),
      },
    });
    const gateway = new AdapterVerificationGateway({ adapter: stack.adapter, clock });
    // Different amounts: the exchange refuses an identical order within seconds as a duplicate.
    for (const [index, id] of ['fo-1', 'fo-2', 'fo-3'].entries()) {
      const outcome = await drive(clock, gateway.placeOrder(limitBuy(second.sim, id, `0.00${index + 1}`)));
      expect(outcome, JSON.stringify(outcome)).toMatchObject({ kind: 'accepted' });
    }
    expect(first.sim.groundTruthOrders()).toHaveLength(0);
    expect(second.sim.groundTruthOrders().map((order) => order.clientOrderId)).toEqual([
      'fo-1',
      'fo-2',
      'fo-3',
    ]);
    const states = stack.pool.stats().endpoints.map((endpoint) => [endpoint.baseUrl, endpoint.state]);
    expect(states).toEqual([
      [first.url, 'down'],
      [second.url, 'up'],
    ]);
  });

  it('takes nobitex.proxy from the config in live mode, per base URL', async () => {
    const { url } = await startSim();
    const proxy = await started(startSocksProxy(credentials));
    const config = configSchema.parse({
      mode: 'live',
      nobitex: { baseUrls: [url], token: SIMULATOR_DEFAULT_TOKEN, proxy: { [url]: proxy.url } },
    });
    const exchange = await createExchangeStack({ config, clock, rng: createRng(1), logger: silentLogger });
    closers.push(() => exchange.close());
    const book = await drive(clock, exchange.adapter.getOrderBook(BTC_RLS));
    expect(book.value).toBeDefined();
    expect(proxy.visits).toEqual([{ target: new URL(url).host, user: 'trader' }]);
  });
});
