// The exchange call path: the enhanced adapter's getOrderStatus (breaker → retry → rate-limit gate →
// timeout → client → pool → HTTP, never cached) against a raw undici `request` with the same body and
// headers to the same simulator on loopback. The difference is what Keel adds per call.
// Rate budgets are taken out of the picture (a store that always grants; the simulator's limits scaled
// up), so a long loop measures the path, not Nobitex's 300/min budget.
// Wall µs per call are printed, but the verdict is the CPU the adapter adds (this process's user +
// system time, every thread: GC included, per call of an adapter-only loop minus a raw-only loop;
// the simulator runs in this process and costs both loops alike): on this shared 2-core machine a
// call's wall time is mostly waiting for other processes' turns.
import { Agent, request } from 'undici';
import { systemClock } from '../../src/core/clock.js';
import { Decimal } from '../../src/core/decimal.js';
import { createRng } from '../../src/core/random.js';
import type {
  RateLimitDecision,
  RateLimitKeyState,
  RateLimitStore,
} from '../../src/core/rate-limiter/rate-limit-store.js';
import { createEnhancedAdapter } from '../../src/exchange/enhanced-nobitex-adapter/create-enhanced-adapter.js';
import { createSimulator, SIMULATOR_DEFAULT_TOKEN } from '../../src/exchange/simulator/index.js';
import { type BenchRow, type BenchSuite, cpuMicrosPerCall, measure, median, summarize } from '../harness.js';

const SUITE = 'exchange call';
const CALLS = 500;
const RUNS = 5;

/** Grants every request: the limiter's own logic still runs, only the budget never binds. */
class UnboundedRateLimitStore implements RateLimitStore {
  async acquire(): Promise<RateLimitDecision> {
    return { granted: true };
  }
  async penalize(): Promise<void> {}
  async read(): Promise<ReadonlyMap<string, RateLimitKeyState>> {
    return new Map();
  }
}

/** µs of one call. */
async function timed(call: () => Promise<unknown>): Promise<number> {
  const startedAt = process.hrtime.bigint();
  await call();
  return Number(process.hrtime.bigint() - startedAt) / 1_000;
}

/**
 * One run: CALLS pairs, raw then adapter back to back, so noise on this shared machine hits both
 * alike; per-call medians keep a stray slow call from dominating.
 */
async function pairedRun(raw: () => Promise<unknown>, viaAdapter: () => Promise<unknown>) {
  const rawMicros: number[] = [];
  const adapterMicros: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    rawMicros.push(await timed(raw));
    adapterMicros.push(await timed(viaAdapter));
  }
  return { raw: median(rawMicros), adapter: median(adapterMicros) };
}

export const exchangeCallSuite: BenchSuite = {
  name: SUITE,
  async run(): Promise<BenchRow[]> {
    const simulator = createSimulator({ seed: 8, rateLimitScale: 1_000_000, priceTickMs: 0 });
    const baseUrl = await simulator.listen({ host: '127.0.0.1', port: 0 });
    const { adapter } = createEnhancedAdapter({
      baseUrls: [baseUrl],
      auth: { kind: 'token', token: SIMULATOR_DEFAULT_TOKEN },
      userAgent: 'TraderBot/keel-bench',
      clock: systemClock,
      rng: createRng(8),
      rateLimitStore: new UnboundedRateLimitStore(),
    });
    const agent = new Agent({ connections: 4 });
    try {
      // A resting limit order below the market, so its status is a cheap, stable read.
      const order = await adapter.placeOrder({
        market: { base: 'btc', quote: 'rls' },
        side: 'buy',
        execution: 'limit',
        amount: new Decimal('0.001'),
        price: new Decimal('95000000000'),
      });
      const body = JSON.stringify({ id: order.id });
      const headers = {
        'user-agent': 'TraderBot/keel-bench',
        accept: 'application/json',
        'content-type': 'application/json',
        authorization: `Token ${SIMULATOR_DEFAULT_TOKEN}`,
      };
      const raw = async () => {
        const response = await request(`${baseUrl}/market/orders/status`, {
          method: 'POST',
          body,
          headers,
          dispatcher: agent,
        });
        const text = await response.body.text();
        if (response.statusCode !== 200) throw new Error(`raw status call answered ${response.statusCode}`);
        return JSON.parse(text);
      };
      const viaAdapter = () => adapter.getOrderStatus({ id: order.id });
      for (let i = 0; i < 200; i++) await Promise.all([raw(), viaAdapter()]); // warm-up
      const runs: { raw: number; adapter: number }[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await pairedRun(raw, viaAdapter));
      const rawSummary = await measure(
        RUNS,
        (() => {
          let i = 0;
          return () => runs[i++]?.raw ?? 0;
        })(),
      );
      const adapterSummary = await measure(
        RUNS,
        (() => {
          let i = 0;
          return () => runs[i++]?.adapter ?? 0;
        })(),
      );
      const cpuRuns: { raw: number; adapter: number }[] = [];
      for (let i = 0; i < RUNS; i++)
        cpuRuns.push({
          raw: await cpuMicrosPerCall(CALLS, raw),
          adapter: await cpuMicrosPerCall(CALLS, viaAdapter),
        });
      const cpuOf = (pick: (run: { raw: number; adapter: number }) => number) => summarize(cpuRuns.map(pick));
      const cpuAdded = cpuOf((run) => run.adapter - run.raw);
      const added = await measure(
        RUNS,
        (() => {
          let i = 0;
          return () => {
            const run = runs[i++];
            return run === undefined ? 0 : run.adapter - run.raw;
          };
        })(),
      );
      return [
        { suite: SUITE, name: 'raw undici request orders/status (baseline)', unit: 'µs/call', ...rawSummary },
        {
          suite: SUITE,
          name: 'adapter.getOrderStatus',
          unit: 'µs/call',
          ...adapterSummary,
          ratio: adapterSummary.median / rawSummary.median,
          baseline: 'vs raw undici',
        },
        { suite: SUITE, name: 'added by the adapter (wall)', unit: 'µs/call (per-call median)', ...added },
        {
          suite: SUITE,
          name: 'raw undici loop CPU (client and in-process simulator)',
          unit: 'CPU µs/call',
          ...cpuOf((run) => run.raw),
        },
        {
          suite: SUITE,
          name: 'adapter loop CPU (client and in-process simulator)',
          unit: 'CPU µs/call',
          ...cpuOf((run) => run.adapter),
        },
        {
          suite: SUITE,
          name: 'CPU added by the adapter (verdict)',
          unit: 'CPU µs/call',
          ...cpuAdded,
          target: '< 50 µs',
          met: cpuAdded.median < 50,
        },
      ];
    } finally {
      await agent.close();
      await adapter.close();
      await simulator.close();
    }
  },
};
