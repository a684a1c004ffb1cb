// Goal: with an endpoint whose latency rises steadily towards the request timeout, the pool moves order
// traffic to the second base URL before any order request times out, and returns once half-open probes
// show the endpoint recovered. Method: two base URLs in front of one simulator (the same exchange
// behind two gateways), the first one's latency ramping on a FakeClock; a market-data request every
// second and a real order every second. The control run without predictive recovery shows the
// same traffic does time out orders, so the test can fail.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { createRng } from '../../src/core/random.js';
import { ConnectionPool } from '../../src/exchange/connection-pool/connection-pool.js';
import { isRequestMaybeSentError, isRequestNotSentError } from '../../src/exchange/connection-pool/errors.js';
import type { PredictiveAction } from '../../src/exchange/connection-pool/predictive-recovery.js';
import type { TransportRequest } from '../../src/exchange/connection-pool/transport.js';
import { createEnhancedAdapter } from '../../src/exchange/enhanced-nobitex-adapter/create-enhanced-adapter.js';
import {
  createSimulator,
  SIMULATOR_DEFAULT_TOKEN,
  type Simulator,
} from '../../src/exchange/simulator/index.js';
import { simulatedOrigin } from './helpers/simulated-origin.js';

const FIRST = 'http://first.gateway';
const SECOND = 'http://second.gateway';
const HEADERS_TIMEOUT_MS = 10_000;
const BASE_LATENCY_MS = 50;
/** The first gateway slows by this much per second of the ramp… */
const RAMP_MS_PER_S = 80;
/** …from the start until it recovers at once, ms. The ramp reaches the timeout after ~124 s. */
const RECOVERY_AT_S = 150;
const RUN_S = 240;

const simulators: Simulator[] = [];
const pools: ConnectionPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
  await Promise.all(simulators.splice(0).map((simulator) => simulator.close()));
});

interface Outcome {
  readonly sentAtS: number;
  readonly group: string;
  readonly baseUrl?: string;
  readonly timedOut: boolean;
  /** Refused before sending (a throttled queue's deadline): safe, nothing reached the exchange. */
  readonly notSent?: boolean;
  readonly statusCode?: number;
  /** When a timed-out request ended, on the clock the test passes to `send`. */
  readonly endedAtMs?: number;
}

async function run(predictive: boolean) {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const startMs = clock.nowMs();
  const simulator = createSimulator({ seed: 3, clock, priceTickMs: 0, rateLimitScale: 100 });
  simulators.push(simulator);
  const firstLatency = (nowMs: number) => {
    const elapsedS = (nowMs - startMs) / 1_000;
    return elapsedS >= RECOVERY_AT_S ? BASE_LATENCY_MS : BASE_LATENCY_MS + RAMP_MS_PER_S * elapsedS;
  };
  const pool = new ConnectionPool({
    // The first gateway is preferred ten to one while it is healthy.
    baseUrls: [
      { url: FIRST, weight: 10 },
      { url: SECOND, weight: 1 },
    ],
    clock,
    rng: createRng(11),
    headersTimeoutMs: HEADERS_TIMEOUT_MS,
    predictive: predictive ? {} : false,
    poolFactory: (origin) =>
      simulatedOrigin({
        simulator,
        clock,
        latencyMs: origin === FIRST ? firstLatency : () => BASE_LATENCY_MS,
      }),
  });
  pools.push(pool);
  const actions: PredictiveAction[] = [];
  pool.onPredictiveAction((action) => actions.push(action));
  const outcomes: Promise<Outcome>[] = [];
  for (let second = 0; second < RUN_S; second++) {
    outcomes.push(send(pool, clock, second, marketData()));
    outcomes.push(send(pool, clock, second, order(second)));
    await clock.advance(1_000);
  }
  await clock.advance(HEADERS_TIMEOUT_MS);
  return { outcomes: await Promise.all(outcomes), actions, startMs };
}

async function send(
  pool: ConnectionPool,
  clock: FakeClock,
  sentAtS: number,
  request: TransportRequest,
): Promise<Outcome> {
  try {
    const response = await pool.request(request);
    return {
      sentAtS,
      group: request.group,
      baseUrl: response.baseUrl,
      timedOut: false,
      statusCode: response.statusCode,
    };
  } catch (error) {
    if (isRequestNotSentError(error))
      return { sentAtS, group: request.group, timedOut: false, notSent: true };
    const timedOut = isRequestMaybeSentError(error) && error.reason === 'headersTimeout';
    if (!timedOut) throw error;
    return { sentAtS, group: request.group, timedOut, endedAtMs: clock.nowMs() };
  }
}

const marketData = (): TransportRequest => ({
  group: 'marketData',
  method: 'GET',
  path: '/v3/orderbook/BTCIRT',
  headers: { accept: 'application/json' },
  priority: 'low',
});

const order = (second: number): TransportRequest => ({
  group: 'orders',
  method: 'POST',
  path: '/market/orders/add',
  headers: {
    accept: 'application/json',
    'content-type': 'application/json',
    authorization: `Token ${SIMULATOR_DEFAULT_TOKEN}`,
  },
  body: JSON.stringify({
    type: 'buy',
    execution: 'market',
    srcCurrency: 'btc',
    dstCurrency: 'rls',
    amount: '0.001',
    clientOrderId: `predictive-${second}`,
  }),
  priority: 'high',
});

describe('predictive recovery against the simulator', () => {
  it('moves order traffic to the second base URL before an order times out, and returns after recovery', async () => {
    const { outcomes, actions, startMs } = await run(true);
    const orders = outcomes.filter((o) => o.group === 'orders');
    expect(orders.filter((o) => o.timedOut)).toEqual([]);
    expect(orders.every((o) => o.statusCode === 200)).toBe(true);
    const drain = actions.find((a) => a.action === 'drain');
    expect(drain).toMatchObject({ baseUrl: FIRST, reason: 'latencyTrend' });
    // The trend that caused it: rising, projected past the threshold while the latency was still below it.
    expect(drain?.trend.slopeMsPerS).toBeGreaterThan(0);
    expect(drain?.trend.forecastMs).toBeGreaterThanOrEqual(drain?.thresholdMs ?? Number.POSITIVE_INFINITY);
    expect(drain?.trend.latencyNowMs).toBeLessThan(HEADERS_TIMEOUT_MS);
    const drainedAtS = ((drain?.atMs ?? 0) - startMs) / 1_000;
    const restore = actions.find((a) => a.action === 'restore');
    expect(restore?.baseUrl).toBe(FIRST);
    const restoredAtS = ((restore?.atMs ?? 0) - startMs) / 1_000;
    expect(restoredAtS).toBeGreaterThan(RECOVERY_AT_S);
    // Orders sent after the drain (stragglers already on their way excepted) went to the second URL…
    const whileDrained = orders.filter((o) => o.sentAtS > drainedAtS + 1 && o.sentAtS < restoredAtS);
    expect(whileDrained.length).toBeGreaterThan(10);
    expect(whileDrained.every((o) => o.baseUrl === SECOND)).toBe(true);
    // …and after the recovery the preferred first URL takes most of the traffic again.
    const after = outcomes.filter((o) => o.sentAtS > restoredAtS + 1);
    expect(after.filter((o) => o.baseUrl === FIRST).length).toBeGreaterThan(after.length / 2);
  });

  it('without predictive recovery the same ramp times out an order request (the control)', async () => {
    const { outcomes, actions } = await run(false);
    expect(actions).toEqual([]);
    expect(outcomes.filter((o) => o.group === 'orders' && o.timedOut).length).toBeGreaterThan(0);
  });

  it('with no second base URL, throttles and then opens the circuits early, before the first request times out', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const startMs = clock.nowMs();
    const simulator = createSimulator({ seed: 4, clock, priceTickMs: 0 });
    simulators.push(simulator);
    const stack = createEnhancedAdapter({
      baseUrls: [FIRST],
      auth: { kind: 'token', token: SIMULATOR_DEFAULT_TOKEN },
      userAgent: 'TraderBot/keel-test',
      clock,
      rng: createRng(5),
      pool: {
        headersTimeoutMs: HEADERS_TIMEOUT_MS,
        poolFactory: () =>
          simulatedOrigin({
            simulator,
            clock,
            latencyMs: (nowMs) => BASE_LATENCY_MS + (RAMP_MS_PER_S * (nowMs - startMs)) / 1_000,
          }),
      },
    });
    pools.push(stack.pool);
    const actions: PredictiveAction[] = [];
    stack.pool.onPredictiveAction((action) => actions.push(action));
    const outcomes: Promise<Outcome>[] = [];
    for (let second = 0; second < 120 && !actions.some((a) => a.action === 'openBreaker'); second++) {
      outcomes.push(send(stack.pool, clock, second, marketData()));
      await clock.advance(1_000);
    }
    expect(actions.map((a) => a.action)).toEqual(['throttle', 'openBreaker']);
    expect(actions[1]?.trend.forecastMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS);
    const breakers = (await stack.adapter.stats()).breakers;
    expect([breakers.orders.state, breakers.account.state, breakers.marketData.state]).toEqual([
      'open',
      'open',
      'open',
    ]);
    // Requests still queued start as others finish: give them time to end (or to pass their deadline).
    for (let second = 0; second < 3 * HEADERS_TIMEOUT_MS; second += 1_000) await clock.advance(1_000);
    // Requests already on their way when the circuits opened may still time out; none did before.
    const timeouts = (await Promise.all(outcomes)).filter((o) => o.timedOut);
    const firstTimeoutAtMs = Math.min(...timeouts.map((o) => o.endedAtMs ?? 0));
    expect(actions[1]?.atMs).toBeLessThan(firstTimeoutAtMs);
  });
});
