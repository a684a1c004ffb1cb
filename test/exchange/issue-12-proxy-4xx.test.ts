// Issue 12, failure mode 6: any 4xx other than 401/403/404/429 on orders/add was read as a business
// rejection, so a proxy answering 400 with HTML after forwarding left a live order that the journal
// called REJECTED, its fills never booked. Goal: only Nobitex's own failure body (`status: failed`
// with a `code`) rejects; every other answer after sending is UNKNOWN and resolved by looking it up.
// Method: the real client, adapter and verifier over the simulator (in-process), fake clock; the
// simulator's proxyReject fault places the order and then answers a 4xx of a proxy.
import { afterEach, describe, expect, it } from 'vitest';
import { createSimVerifierHarness, type SimVerifierHarness } from '../support/sim-verifier-harness.js';

let harness: SimVerifierHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('issue 12 mode 6: a 4xx that is not Nobitex’s', () => {
  it.each([
    ['HTML 400', 400, 'html'],
    ['unknown JSON 422', 422, 'json'],
  ] as const)(
    'after a %s the placed order is found, not rejected, and its fills are booked',
    async (_name, status, body) => {
      harness = await createSimVerifierHarness();
      const { simulator } = harness;
      // Step 1: a proxy in front of the exchange forwards the next order, then answers with its own 4xx.
      simulator.chaos.add({ kind: 'proxyReject', path: '/market/orders/add', status, body, countMax: 1 });
      // Step 2: Keel sends a market buy. The exchange fills it; Keel hears only the proxy's answer.
      const intent = await harness.prepare({ signalId: `proxy-${status}`, amount: '0.002' });
      const result = await harness.runToEnd(intent);
      const placed = simulator.groundTruthOrders().filter((o) => o.clientOrderId === intent.clientOrderId);
      expect(placed).toHaveLength(1);
      expect(simulator.chaos.stats().proxyReject).toBe(1);
      // Step 3: the answer was UNKNOWN, the lookup found the order, and it ends FILLED with its fills.
      const trail = (await harness.journal.audit({ orderId: intent.id })).map((event) => event.toState);
      expect(trail).toContain('UNKNOWN');
      expect(trail).not.toContain('REJECTED');
      expect(result.state).toBe('FILLED');
      expect(result.filledAmount.toFixed()).toBe(placed[0]?.matchedAmount);
      expect((await harness.journal.fills(intent.id)).length).toBeGreaterThan(0);
    },
  );

  it("Nobitex's own failure answer still rejects at once, without a lookup", async () => {
    harness = await createSimVerifierHarness();
    // 0.00001 BTC is below the minimum order value: the exchange answers SmallOrder.
    const result = await harness.runToEnd(await harness.prepare({ signalId: 'small', amount: '0.00001' }));
    expect(result.state).toBe('REJECTED');
    expect(result.rejectCode).toBe('SmallOrder');
  });
});
