// Recovery: a started KeelApp (paper mode) whose simulator has an outage on order placement. Orders
// through the app's adapter fail until the orders breaker opens; then the outage is cleared and a
// client retries every RETRY_EVERY_MS (an open breaker refuses at once) until an order is accepted.
// Measured: clearing → first accepted order, against the configured break duration.
import { Decimal } from '../../src/core/decimal.js';
import { isCircuitOpenError } from '../../src/core/errors.js';
import { isRequestNotSentError } from '../../src/exchange/connection-pool/errors.js';
import type { EnhancedNobitexAdapter } from '../../src/exchange/enhanced-nobitex-adapter/enhanced-nobitex-adapter.js';
import { type BenchRow, type BenchSuite, measure, sleepMs } from '../harness.js';
import { distinctAmount, startBenchApp } from '../support/keel-app.js';

const SUITE = 'recovery';
const BREAK_DURATION_MS = 1_000;
const RUNS = 3;
const RETRY_EVERY_MS = 5;
const FAILURES_MAX = 50;
const RECOVERY_WAIT_MAX_MS = 20_000;

let orderCount = 0;
const placeOrder = (adapter: EnhancedNobitexAdapter) =>
  adapter.placeOrder({
    market: { base: 'btc', quote: 'rls' },
    side: 'buy',
    execution: 'market',
    // Distinct sizes: the exchange refuses a same-size order within 10 s as a duplicate.
    amount: new Decimal(distinctAmount(orderCount++)),
  });

/** Fails orders until the breaker opens; returns when it is open. */
async function tripBreaker(adapter: EnhancedNobitexAdapter): Promise<void> {
  for (let i = 0; i < FAILURES_MAX; i++) {
    if (adapter.breakerMetrics('orders').state === 'open') return;
    await placeOrder(adapter).catch(() => undefined);
  }
  throw new Error(`the orders breaker did not open after ${FAILURES_MAX} failed orders`);
}

function refusalKind(error: unknown): string {
  if (isCircuitOpenError(error)) return 'breaker open';
  const texts = [error, error instanceof Error ? error.cause : undefined].map((e) =>
    isRequestNotSentError(e) ? `pool: ${e.reason}` : undefined,
  );
  return texts.find((text) => text !== undefined) ?? (error instanceof Error ? error.name : 'other');
}

/** Clears the outage and retries until an order is accepted: ms from clearing, and the last call's ms. */
async function recover(
  adapter: EnhancedNobitexAdapter,
  clear: () => void,
  refusals: Map<string, number>,
): Promise<{ recoveryMs: number; probeMs: number }> {
  const clearedAtMs = performance.now();
  clear();
  for (;;) {
    const startedAtMs = performance.now();
    try {
      await placeOrder(adapter);
      return { recoveryMs: performance.now() - clearedAtMs, probeMs: performance.now() - startedAtMs };
    } catch (error) {
      // Refused before the exchange: the open breaker, or the pool still holding the endpoint down.
      refusals.set(refusalKind(error), (refusals.get(refusalKind(error)) ?? 0) + 1);
      if (performance.now() - clearedAtMs > RECOVERY_WAIT_MAX_MS)
        throw new Error(`no accepted order ${RECOVERY_WAIT_MAX_MS} ms after the outage cleared`, {
          cause: error,
        });
      await sleepMs(RETRY_EVERY_MS);
    }
  }
}

export const recoverySuite: BenchSuite = {
  name: SUITE,
  async run(): Promise<BenchRow[]> {
    const started = await startBenchApp({
      nobitex: { breaker: { orders: { breakDurationMs: BREAK_DURATION_MS } } },
      simulator: { rateLimitScale: 1_000 },
    });
    try {
      const { adapter, simulator } = started.app.exchange;
      if (simulator === undefined) throw new Error('paper mode has no simulator');
      const probes: number[] = [];
      const refusals = new Map<string, number>();
      const recovery = await measure(RUNS, async () => {
        const [rule] = simulator.chaos.add({ kind: 'outage', path: '/market/orders/add' });
        if (rule === undefined) throw new Error('the outage rule was not added');
        await tripBreaker(adapter);
        const { recoveryMs, probeMs } = await recover(
          adapter,
          () => simulator.chaos.clear([rule.id]),
          refusals,
        );
        probes.push(probeMs);
        return recoveryMs;
      });
      const probe = await measure(
        probes.length,
        (() => {
          let index = 0;
          return () => probes[index++] ?? 0;
        })(),
      );
      const boundMs = BREAK_DURATION_MS + probe.max + 100;
      return [
        {
          suite: SUITE,
          name: `outage cleared → first accepted order (break ${BREAK_DURATION_MS} ms, retry every ${RETRY_EVERY_MS} ms)`,
          unit: 'ms',
          ...recovery,
          target: `<= break + probe + 100 ms (${boundMs.toFixed(0)} ms)`,
          met: recovery.max <= boundMs,
        },
        { suite: SUITE, name: 'probe round trip (the accepted order)', unit: 'ms', ...probe },
        {
          suite: SUITE,
          name: `refusals while recovering: ${[...refusals].map(([kind, count]) => `${kind} ×${count}`).join(', ')}`,
          unit: '',
          median: 0,
          min: 0,
          max: 0,
        },
      ];
    } finally {
      await started.stop();
    }
  },
};
