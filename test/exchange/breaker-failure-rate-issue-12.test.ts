// Goal (issue 12, mode 9): failures of the orders group spread out between successes open its
// breaker: a failure rate over a time window counts, not only failures in a row.
// Method: a scripted server on 127.0.0.1 behind the real adapter on a FakeClock; every 30 s one
// placement fails with a 502 (ambiguous) and one status read succeeds. Before the fix the consecutive
// breaker was reset by each success and never opened.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { Decimal } from '../../src/core/decimal.js';
import { isCircuitOpenError } from '../../src/core/errors.js';
import type { EnhancedAdapterStack } from '../../src/exchange/enhanced-nobitex-adapter/index.js';
import { isExchangeAmbiguousError } from '../../src/exchange/errors.js';
import { buildStack, errorOf } from './helpers/adapter-harness.js';
import * as P from './helpers/nobitex-payloads.js';
import { type RecordedRequest, type ScriptedServer, startScriptedServer } from './helpers/scripted-server.js';

const PLACE = {
  market: { base: 'btc', quote: 'rls' },
  side: 'buy',
  execution: 'limit',
  amount: new Decimal('0.6'),
  price: new Decimal('520000000'),
  clientOrderId: 'order1',
} as const;
const script = (r: RecordedRequest) =>
  r.path.startsWith('/market/orders/add')
    ? { status: 502, body: '<html>502 Bad Gateway</html>' }
    : { body: P.ORDER_STATUS_MARKET };

let server: ScriptedServer;
let clock: FakeClock;
let stack: EnhancedAdapterStack;
beforeEach(async () => {
  server = await startScriptedServer(script);
  clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
  stack = buildStack({ baseUrls: [server.url], clock, token: P.TOKEN });
});
afterEach(async () => {
  await stack.adapter.close();
  await server.close();
});

describe('orders breaker on a failure rate (issue 12)', () => {
  it('opens when placements fail 30 s apart with successful status reads between them', async () => {
    const { adapter } = stack;
    const states: string[] = [];
    for (let round = 0; round < 4; round++) {
      expect(isExchangeAmbiguousError(await errorOf(adapter.placeOrder(PLACE)))).toBe(true);
      states.push(adapter.breakerMetrics('orders').state);
      if (states.at(-1) === 'open') break;
      await adapter.getOrderStatus({ id: 1 }); // a success resets a consecutive count
      await clock.advance(30_000);
    }
    // 4 failures among 7 calls in 90 s: at least half of the window's calls failed.
    expect(states).toEqual(['closed', 'closed', 'closed', 'open']);
    const before = server.requests.length;
    expect(isCircuitOpenError(await errorOf(adapter.placeOrder(PLACE)))).toBe(true);
    expect(server.requests.length).toBe(before);
  });

  it('stays closed when failures are rare among many successes', async () => {
    const { adapter } = stack;
    for (let round = 0; round < 4; round++) {
      await errorOf(adapter.placeOrder(PLACE));
      for (let read = 0; read < 3; read++) await adapter.getOrderStatus({ id: 1 });
      await clock.advance(30_000);
    }
    expect(adapter.breakerMetrics('orders').state).toBe('closed');
  });
});
