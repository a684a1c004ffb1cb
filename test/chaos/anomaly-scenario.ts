// One anomaly run: a seeded scenario's noise (faults, restarts, fills; no injected drift) spread over
// an hour of fake time with reconciliation every minute. With `leak`, the exchange loses 0.01 % of the
// USDT balance per hour behind Keel's back, a little every minute; each reconciliation corrects the
// small difference quietly, so only the detector can notice. The tolerance is set to one hour of the
// leak (0.01 % of the starting balance): the leak "reaches the tolerance" when the sum leaked does.
import { Decimal, formatDecimal, parseDecimal } from '../../src/core/decimal.js';
import { DEFAULT_BALANCES, SIMULATOR_DEFAULT_TOKEN } from '../../src/exchange/simulator/index.js';
import { newGuardCounts } from './apply-guard-step.js';
import { readFlags } from './check-anomalies.js';
import { newObservations } from './checker.js';
import { applyStep } from './run-scenario.js';
import { generateScenario, type Step } from './scenario.js';
import { ChaosWorld } from './world.js';

export const LEAK_CURRENCY = 'usdt';
/** Share of the balance lost per hour. */
export const LEAK_SHARE_PER_HOUR = new Decimal('0.0001');
const MINUTE_MS = 60_000;
/** Noise steps are spread over this many minutes; the run lasts RUN_MINUTES. */
const NOISE_MINUTES = 45;
const RUN_MINUTES = 65;
const STEP_GAP_MS = 100;

export interface AnomalyRunResult {
  readonly seed: number;
  readonly leak: boolean;
  readonly startedAtMs: number;
  /** When the detector first flagged the leaked currency's reconciliation series. */
  readonly flaggedAtMs: number | null;
  /** When the sum leaked reached the tolerance (null: the run ended first, or no leak). */
  readonly reachedAtMs: number | null;
  /** Flags on anything but the leaked series (with a leak) or on anything at all (without). */
  readonly falseFlags: readonly string[];
  readonly fakeTimeMs: number;
  readonly error: string | null;
}

export async function runAnomalyScenario(
  seed: number,
  options: { readonly leak: boolean; readonly stepCount: number },
): Promise<AnomalyRunResult> {
  const tolerance = leakTolerance();
  const world = new ChaosWorld(seed, { config: leakWorldConfig() });
  const steps = generateScenario(seed, options.stepCount).steps.filter(isNoise);
  const startMs = world.clock.nowMs();
  let leaked = new Decimal(0);
  let reachedAtMs: number | null = null;
  let flaggedAtMs: number | null = null;
  let falseFlags: string[] = [];
  let error: string | null = null;
  try {
    await world.startApp();
    let next = 0;
    for (let minute = 0; minute < RUN_MINUTES; minute++) {
      for (; next < steps.length && (next * NOISE_MINUTES) / steps.length <= minute; next++) {
        await applyStep(
          world,
          steps[next] as Step,
          newObservations(),
          { accepted: 0, duplicate: 0, refused: 0 },
          newGuardCounts(),
        );
        await world.clock.advance(STEP_GAP_MS);
      }
      if (options.leak) leaked = leaked.plus(leakOneMinute(world));
      await world.clock.advance(MINUTE_MS);
      if (reachedAtMs === null && leaked.gte(tolerance)) reachedAtMs = world.clock.nowMs();
      const flags = await readFlags(world);
      const leakKey = `reconciliation:${LEAK_CURRENCY}`;
      flaggedAtMs = options.leak ? (flags.find((f) => f.seriesKey === leakKey)?.atMs ?? null) : null;
      falseFlags = flags
        .filter((f) => !options.leak || f.seriesKey !== leakKey)
        .map((f) => `${f.seriesKey} ${f.flag}`);
      if (options.leak && (flaggedAtMs !== null || reachedAtMs !== null)) break;
    }
  } catch (caught) {
    error = caught instanceof Error ? (caught.stack ?? caught.message) : String(caught);
  } finally {
    if (world.problems.length > 0) error ??= world.problems.join('; ');
    await world.close().catch((caught: unknown) => {
      error ??= `close failed: ${String(caught)}`;
    });
  }
  return {
    seed,
    leak: options.leak,
    startedAtMs: startMs,
    flaggedAtMs,
    reachedAtMs,
    falseFlags,
    fakeTimeMs: world.clock.nowMs() - startMs,
    error,
  };
}

/** Faults, signals, restarts, time: everything but balances moved behind Keel's back. */
/** Noise keeps the hour's timeline and moves no balance behind Keel's back (that would be a leak too). */
function isNoise(step: Step): boolean {
  if (step.kind === 'setBalance' || step.kind === 'manualTrades' || step.kind === 'pause') return false;
  return step.kind !== 'fault' || step.rule.kind !== 'drift';
}

/** Takes one minute's share of the hourly leak from the exchange balance; returns what it took. */
export function leakOneMinute(world: ChaosWorld): Decimal {
  const wallet = world.simulator.wallets(SIMULATOR_DEFAULT_TOKEN)[LEAK_CURRENCY];
  const balance = parseDecimal(wallet?.balance ?? '0', 'balance');
  const blocked = parseDecimal(wallet?.blocked ?? '0', 'blocked');
  const amount = balance.times(LEAK_SHARE_PER_HOUR).div(60).toDecimalPlaces(8, Decimal.ROUND_DOWN);
  if (balance.minus(amount).lt(blocked)) return new Decimal(0);
  world.simulator.setBalance(SIMULATOR_DEFAULT_TOKEN, LEAK_CURRENCY, formatDecimal(balance.minus(amount)));
  return amount;
}

/** One hour of the leak: 0.01 % of the simulator's starting USDT balance. */
export function leakTolerance(): Decimal {
  return new Decimal(DEFAULT_BALANCES[LEAK_CURRENCY]).times(LEAK_SHARE_PER_HOUR);
}

/** The schema's default tolerances, with the leaked currency's set to one hour of the leak. */
export function leakWorldConfig(): Record<string, unknown> {
  const tolerance = { rls: '10', usdt: formatDecimal(leakTolerance()), btc: '0.00000001', eth: '0.0000001' };
  return { reconciliation: { tolerance } };
}
