// End to end on a started KeelApp (paper mode, SQLite NORMAL): webhook POST over loopback → stored →
// engine → adapter → simulator. Latency is from just before the POST to the simulator's createdAtMs
// of the order with clientOrderIdFor(signalId) (both on the system clock). Two phases: paced signals
// (latency without queueing), then a burst (sustained signals/s until the last order is accepted).
// The engine takes one signal at a time to a verified terminal state (first poll after
// verification.pollIntervalMs), and every order invalidates the wallets cache while Nobitex allows
// 20 wallet reads per 2 min: past ~20 orders in 2 min each signal waits for that budget. So each
// phase runs on a fresh app with fewer signals than that budget.
import { request } from 'undici';
import { clientOrderIdFor } from '../../src/exchange/order-journal/order-intent.js';
import type { Simulator } from '../../src/exchange/simulator/index.js';
import { type BenchRow, type BenchSuite, percentile, sleepMs } from '../harness.js';
import { distinctAmount, startBenchApp, webhookBody } from '../support/keel-app.js';

const SUITE = 'end to end';
const PACED_SIGNALS = 8;
const PACED_INTERVAL_MS = 1_000;
const BURST_SIGNALS = 12;
const BURST_CONCURRENCY = 5;
const WAIT_MAX_MS = 30_000;

async function post(
  url: string,
  id: string,
  amount: string,
): Promise<{ signalId: string; sentAtMs: number }> {
  const sentAtMs = Date.now();
  const response = await request(`${url}/webhooks/tradingview`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: webhookBody(id, amount),
  });
  const body = (await response.body.json()) as { signalId?: string };
  if (response.statusCode !== 202 || body.signalId === undefined)
    throw new Error(`webhook answered ${response.statusCode}`);
  return { signalId: body.signalId, sentAtMs };
}

/** Waits until the simulator holds an order for every signal; returns each order's acceptance time. */
async function acceptedAt(
  simulator: Simulator,
  signalIds: readonly string[],
  refusals: Map<string, number>,
): Promise<Map<string, number>> {
  const wanted = new Map(signalIds.map((signalId) => [clientOrderIdFor(signalId), signalId]));
  const deadlineMs = Date.now() + WAIT_MAX_MS;
  for (;;) {
    const found = new Map<string, number>();
    for (const order of simulator.groundTruthOrders()) {
      const signalId = order.clientOrderId === null ? undefined : wanted.get(order.clientOrderId);
      if (signalId !== undefined) found.set(signalId, order.createdAtMs);
    }
    if (found.size === wanted.size) return found;
    if (Date.now() > deadlineMs)
      throw new Error(
        `only ${found.size} of ${wanted.size} bench signals reached the simulator; refusals: ${JSON.stringify([...refusals])}`,
      );
    await sleepMs(20);
  }
}

type Sent = { signalId: string; sentAtMs: number };

/** Runs `send` against a fresh app and returns each signal's latency to the simulator's acceptance. */
async function phase(
  send: (url: string, run: string) => Promise<Sent[]>,
): Promise<{ sent: Sent[]; latencies: number[]; lastAcceptedMs: number }> {
  const started = await startBenchApp({
    engine: { maxOrdersPerMinute: 600 },
    simulator: { rateLimitScale: 1_000 },
  });
  try {
    const simulator = started.app.exchange.simulator;
    if (simulator === undefined) throw new Error('paper mode has no simulator');
    const refusals = new Map<string, number>();
    started.app.engine.onSignalOutcome((outcome) => {
      if (outcome.state === 'executed') return;
      const key = `${outcome.state}: ${'message' in outcome ? String(outcome.message).slice(0, 80) : ''}`;
      refusals.set(key, (refusals.get(key) ?? 0) + 1);
    });
    const sent = await send(started.url, `${process.pid}-${Date.now()}`);
    const accepted = await acceptedAt(
      simulator,
      sent.map((s) => s.signalId),
      refusals,
    );
    const latencies = sent.map((s) => (accepted.get(s.signalId) ?? Number.NaN) - s.sentAtMs);
    return { sent, latencies, lastAcceptedMs: Math.max(...accepted.values()) };
  } finally {
    await started.stop();
  }
}

async function paced(url: string, run: string): Promise<Sent[]> {
  const sent: Sent[] = [];
  for (let i = 0; i < PACED_SIGNALS; i++) {
    sent.push(await post(url, `e2e-paced-${run}-${i}`, distinctAmount(i)));
    await sleepMs(PACED_INTERVAL_MS);
  }
  return sent;
}

async function burst(url: string, run: string): Promise<Sent[]> {
  const sent: Sent[] = [];
  let next = 0;
  const sender = async () => {
    while (next < BURST_SIGNALS) {
      const index = next++;
      sent.push(await post(url, `e2e-burst-${run}-${index}`, distinctAmount(index)));
    }
  };
  await Promise.all(Array.from({ length: BURST_CONCURRENCY }, sender));
  return sent;
}

const spread = (values: readonly number[]) => ({ min: Math.min(...values), max: Math.max(...values) });

export const endToEndSuite: BenchSuite = {
  name: SUITE,
  async run(): Promise<BenchRow[]> {
    const pacedResult = await phase(paced);
    const burstResult = await phase(burst);
    const firstSentMs = Math.min(...burstResult.sent.map((s) => s.sentAtMs));
    const perSecond = BURST_SIGNALS / ((burstResult.lastAcceptedMs - firstSentMs) / 1_000);
    const p99 = percentile(pacedResult.latencies, 0.99);
    const burstP99 = percentile(burstResult.latencies, 0.99);
    return [
      {
        suite: SUITE,
        name: `paced ${PACED_SIGNALS} signals, 1 per ${PACED_INTERVAL_MS} ms: signal → order accepted p50`,
        unit: 'ms',
        median: percentile(pacedResult.latencies, 0.5),
        ...spread(pacedResult.latencies),
      },
      {
        suite: SUITE,
        name: 'paced: signal → order accepted p99',
        unit: 'ms',
        median: p99,
        min: p99,
        max: p99,
      },
      {
        suite: SUITE,
        name: `burst ${BURST_SIGNALS} signals (${BURST_CONCURRENCY} senders): sustained until last order accepted`,
        unit: 'signals/s',
        median: perSecond,
        min: perSecond,
        max: perSecond,
      },
      {
        suite: SUITE,
        name: 'burst: signal → order accepted p50, queueing included',
        unit: 'ms',
        median: percentile(burstResult.latencies, 0.5),
        ...spread(burstResult.latencies),
      },
      {
        suite: SUITE,
        name: 'burst: signal → order accepted p99',
        unit: 'ms',
        median: burstP99,
        min: burstP99,
        max: burstP99,
      },
    ];
  },
};
