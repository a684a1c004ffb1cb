// A backlog drained with the engine HALTED (kill switch): BACKLOG signals on one symbol are stored
// while the engine runs but the app is not yet started (a backlog queued before a halt: signals that
// arrive while HALTED are refused at the door and never queue), then an operator halts and the app
// starts; its engine takes each one off the bus, refuses it and raises its operator alert. Measured from start until every signal is rejected and
// every alert is stored: the drain rate, and this process's CPU (user + system, all threads) per
// ended signal. One symbol is the worst case: the bus hands a key's messages one at a time.
// A single run with LARGE_BACKLOG signals shows whether the cost per signal grows with the backlog (it
// did while every alert scanned all live alerts: 3.3–3.9 ms of CPU per signal at 6 000, 1.7 ms at 2 000).
// No target: the figures are for comparing changes (the earlier field measurement was 65–115 signals/s).
import { randomUUID } from 'node:crypto';
import type { KeelApp } from '../../src/app/keel-app.js';
import type { Signal } from '../../src/market-data/signal.js';
import { type BenchRow, type BenchSuite, sleepMs, summarize } from '../harness.js';
import { createBenchApp } from '../support/keel-app.js';

const SUITE = 'halted drain';
const BACKLOG = 2_000;
const LARGE_BACKLOG = 6_000;
const RUNS = 3;
const POLL_MS = 50;
const DRAIN_WAIT_MAX_MS = 180_000;

interface DrainRun {
  readonly signalsPerS: number;
  readonly cpuMicrosPerSignal: number;
}

/** A market buy the engine would trade if it were running. */
const buy = (nowMs: number): Signal => ({
  symbol: 'BTCIRT',
  base: 'btc',
  quote: 'rls',
  side: 'buy',
  size: { kind: 'base', amount: '0.0001' },
  order: { type: 'market' },
  alertAtMs: nowMs,
  alertTimeSource: 'received',
  receivedAtMs: nowMs,
});

const count = async (app: KeelApp, sql: string): Promise<number> => {
  const [row] = await app.db.query<{ count: number }>(sql);
  return Number(row?.count ?? 0);
};

async function drainOnce(backlog: number): Promise<DrainRun> {
  const created = await createBenchApp({ storage: { sqliteSynchronous: 'FULL' } });
  try {
    const { app } = created;
    const nowMs = Date.now();
    const runId = randomUUID();
    await Promise.all(
      Array.from({ length: backlog }, (_, index) =>
        app.signals.accept({
          signal: buy(nowMs),
          dedupKey: `drain-${runId}-${index}`,
          raw: '{}',
          sourceIp: '127.0.0.1',
        }),
      ),
    );
    await app.killSwitch.set('HALTED', { source: 'operator', by: 'bench', reason: 'halted drain' });
    const cpuAtStart = process.cpuUsage();
    const startedAtMs = performance.now();
    await created.start();
    for (;;) {
      const rejected = await count(app, "SELECT COUNT(*) AS count FROM signals WHERE state = 'rejected'");
      const alerted = await count(app, "SELECT COUNT(*) AS count FROM alerts WHERE source = 'engine'");
      if (rejected >= backlog && alerted >= backlog) break;
      if (performance.now() - startedAtMs > DRAIN_WAIT_MAX_MS)
        throw new Error(`drain stalled: ${rejected} rejected, ${alerted} alerts of ${backlog}`);
      await sleepMs(POLL_MS);
    }
    const elapsedMs = performance.now() - startedAtMs;
    const cpu = process.cpuUsage(cpuAtStart);
    return {
      signalsPerS: (backlog * 1_000) / elapsedMs,
      cpuMicrosPerSignal: (cpu.user + cpu.system) / backlog,
    };
  } finally {
    await created.stop();
  }
}

export const haltedDrainSuite: BenchSuite = {
  name: SUITE,
  async run(): Promise<BenchRow[]> {
    const runs: DrainRun[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await drainOnce(BACKLOG));
    const large = await drainOnce(LARGE_BACKLOG);
    return [
      {
        suite: SUITE,
        name: `${BACKLOG} stored signals, one symbol: rejected and alerted (wall)`,
        unit: 'signals/s',
        ...summarize(runs.map((run) => run.signalsPerS)),
      },
      {
        suite: SUITE,
        name: 'CPU per ended signal (user + system, all threads)',
        unit: 'CPU µs/signal',
        ...summarize(runs.map((run) => run.cpuMicrosPerSignal)),
      },
      {
        suite: SUITE,
        name: `${LARGE_BACKLOG} stored signals, one run: rejected and alerted (wall)`,
        unit: 'signals/s',
        ...summarize([large.signalsPerS]),
      },
      {
        suite: SUITE,
        name: `${LARGE_BACKLOG} stored signals, one run: CPU per ended signal`,
        unit: 'CPU µs/signal',
        ...summarize([large.cpuMicrosPerSignal]),
      },
    ];
  },
};
