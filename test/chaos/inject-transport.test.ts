// Goal: the in-process transport maps every simulator outcome the way the socket pool does: answers
// pass through, a reset or a hang (timed out on the fake clock) is "maybe sent", a closed transport
// sends nothing. Method: a simulator on a FakeClock with one chaos rule per case.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { isRequestMaybeSentError, isRequestNotSentError } from '../../src/exchange/connection-pool/errors.js';
import type { TransportRequest } from '../../src/exchange/connection-pool/transport.js';
import { createSimulator, SIMULATOR_DEFAULT_TOKEN } from '../../src/exchange/simulator/index.js';
import { InjectTransport } from '../../src/exchange/simulator/inject-transport.js';

function setup() {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const simulator = createSimulator({ seed: 3, clock, priceTickMs: 0 });
  const transport = new InjectTransport({ simulator, clock, headersTimeoutMs: 2_000 });
  return { clock, simulator, transport };
}

const placeOrder: TransportRequest = {
  group: 'orders',
  method: 'POST',
  path: '/market/orders/add',
  body: JSON.stringify({
    type: 'buy',
    execution: 'market',
    srcCurrency: 'btc',
    dstCurrency: 'rls',
    amount: '0.001',
    clientOrderId: 'inject-1',
  }),
  headers: { authorization: `Token ${SIMULATOR_DEFAULT_TOKEN}`, 'content-type': 'application/json' },
  priority: 'high',
};

describe('InjectTransport', () => {
  it('passes an answer through with its status, headers and body', async () => {
    const { transport, simulator } = setup();
    const response = await transport.request({
      ...placeOrder,
      body: undefined,
      method: 'GET',
      path: '/v2/options',
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/json/);
    expect(JSON.parse(response.bodyText)).toMatchObject({ status: 'ok' });
    await simulator.close();
  });

  it('turns a reset into maybe-sent', async () => {
    const { transport, simulator } = setup();
    simulator.chaos.add({ kind: 'reset', path: '/market/orders/add' });
    const error = await transport.request(placeOrder).catch((e: unknown) => e);
    expect(isRequestMaybeSentError(error) && error.reason).toBe('socketReset');
    await simulator.close();
  });

  it('turns a hang into maybe-sent once the clock passes the timeout, with the order committed', async () => {
    const { transport, simulator, clock } = setup();
    simulator.chaos.add({ kind: 'commitThenFail', path: '/market/orders/add', failWith: 'hang' });
    let settled: unknown;
    const pending = transport.request(placeOrder).then(
      (value) => (settled = value),
      (error: unknown) => (settled = error),
    );
    await clock.advance(1_999);
    expect(settled).toBeUndefined();
    await clock.advance(1);
    await pending;
    expect(isRequestMaybeSentError(settled) && settled.reason).toBe('headersTimeout');
    expect(simulator.groundTruthOrders().map((o) => o.clientOrderId)).toEqual(['inject-1']);
    await simulator.close();
  });

  it('sends nothing once closed', async () => {
    const { transport, simulator } = setup();
    await transport.close();
    const error = await transport.request(placeOrder).catch((e: unknown) => e);
    expect(isRequestNotSentError(error)).toBe(true);
    expect(transport.requestCount).toBe(0);
    expect(simulator.groundTruthOrders()).toEqual([]);
    await simulator.close();
  });
});
