// `npm run crash -- [--kills N] [--seed S] [--settle-ms MS]`: SIGKILLs the real `keel start` N times
// across the order flow, in live mode against a Nobitex simulator in this process (it survives every
// kill), then runs Keel once more until everything is terminal, reconciles, and prints the figures:
// duplicate orders, lost 2xx signals, and ledger against wallets. Exits non-zero unless all three hold.
// KEEP=1 keeps the data folder (with the final run's log) and prints its path.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { request } from 'undici';
import { SIMULATOR_DEFAULT_TOKEN, startSimulatorServer } from '../../src/exchange/simulator/index.js';
import { runCrashCampaign } from './crash-campaign.js';
import { CRASH_CONFIG } from './crash-config.js';
import { crashFigures, type ReconcileAnswer } from './crash-figures.js';
import { dispatcher, pause, snapshotDb } from './keel-process.js';

const RECONCILE_ATTEMPTS_MAX = 10;
const RECONCILE_RETRY_MS = 6_000;

const integer = (value: string): number => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a non-negative integer, was ${value}`);
  return Number(value);
};

const opts = new Command('crash')
  .option('--kills <n>', 'SIGKILLs of keel start', integer, 100)
  .option('--seed <s>', 'seed of kill points and alert timing', integer, 1)
  .option('--settle-ms <ms>', 'longest wait for the final run to settle', integer, 900_000)
  .parse()
  .opts<{ kills: number; seed: number; settleMs: number }>();

const dataDir = await mkdtemp(join(tmpdir(), 'keel-crash-run-'));
const sim = await startSimulatorServer({ port: 0, seed: opts.seed });
try {
  const configPath = join(dataDir, 'keel.config.json');
  await writeFile(configPath, JSON.stringify(CRASH_CONFIG));
  let reconcile: ReconcileAnswer | undefined;
  const startedAtMs = Date.now();
  let cycles = 0;
  const result = await runCrashCampaign({
    seed: opts.seed,
    kills: opts.kills,
    settleTimeoutMs: opts.settleMs,
    start: {
      dataDir,
      configPath,
      env: {
        KEEL_MODE: 'live',
        KEEL_NOBITEX_BASE_URL: sim.url,
        KEEL_NOBITEX_TOKEN: SIMULATOR_DEFAULT_TOKEN,
      },
    },
    onKill: () => {
      cycles++;
      if (cycles % 10 === 0 || process.env.KEEP !== undefined)
        process.stdout.write(`  ${cycles} kills ${Date.now() - startedAtMs} ms\n`);
    },
    beforeFinalStop: async (keel) => {
      // A run may fail on the exchange's 30/min order-list budget after a burst of lookups: ask again.
      for (let attempt = 0; attempt < RECONCILE_ATTEMPTS_MAX; attempt++) {
        const response = await request(`${keel.url}/api/reconcile`, {
          method: 'POST',
          headers: { 'x-keel-request': 'crash-cli' },
          dispatcher,
        });
        reconcile = (await response.body.json()) as ReconcileAnswer;
        if (reconcile.status !== 'error') return;
        await pause(RECONCILE_RETRY_MS);
      }
    },
  });
  if (process.env.KEEP !== undefined) await writeFile(join(dataDir, 'final-run.log'), result.finalOutput);
  const db = await snapshotDb(dataDir);
  const figures = crashFigures({
    result,
    db,
    simulator: sim.simulator,
    token: SIMULATOR_DEFAULT_TOKEN,
    reconcile,
  });
  const orderStates = new Map<string, number>();
  for (const order of db.orders) orderStates.set(order.state, (orderStates.get(order.state) ?? 0) + 1);
  const points = new Map<string, number>();
  for (const point of result.killPoints) points.set(point, (points.get(point) ?? 0) + 1);
  const ok =
    figures.duplicateOrders === 0 &&
    figures.lostSignals === 0 &&
    figures.ledgerMismatches.length === 0 &&
    result.unsettled === '';
  process.stdout.write(
    [
      '',
      `crash campaign: seed ${opts.seed}, ${result.killPoints.length} SIGKILLs of keel start in ${Math.round((Date.now() - startedAtMs) / 1_000)} s`,
      `  kill points:           ${[...points].map(([point, count]) => `${point} ${count}`).join(', ')}`,
      `  alerts sent / 2xx:     ${result.sentCount} / ${result.accepted.size}`,
      `  orders on the exchange ${figures.exchangeOrders}, journaled ${figures.journaledOrders}, trades ${figures.tradeCount}`,
      `  journal order states:  ${[...orderStates].map(([state, count]) => `${state} ${count}`).join(', ')}`,
      `  duplicate orders:      ${figures.duplicateOrders}`,
      `  lost 2xx signals:      ${figures.lostSignals}`,
      `  ledger vs wallets:     ${figures.ledgerMismatches.length === 0 ? `equal (reconciliation ${reconcile?.status})` : figures.ledgerMismatches.join('; ')}`,
      `  final run:             ${result.unsettled === '' ? 'settled' : `not settled: ${result.unsettled}`}, exit ${result.finalExit}`,
      ok ? 'PASS' : 'FAIL',
      '',
    ].join('\n'),
  );
  process.exitCode = ok ? 0 : 1;
} finally {
  await sim.close();
  if (process.env.KEEP === undefined) await rm(dataDir, { recursive: true, force: true });
  else process.stdout.write(`data: ${dataDir}\n`);
}
