// Runs many seeds one after another (one world at a time: the fake clock is per world, but SQLite
// and the event loop are shared), shrinks each failure, and gathers the report.
import type { ChaosKind } from '../../src/exchange/simulator/index.js';
import { runScenario, type ScenarioResult } from './run-scenario.js';
import { describeStep, generateScenario } from './scenario.js';
import { shrink } from './shrink.js';

export interface ChaosRunOptions {
  /** Seeds to run: firstSeed, firstSeed + 1, … Default 100. */
  readonly seedCount?: number;
  readonly firstSeed?: number;
  /** Steps per scenario. Default 30. */
  readonly stepCount?: number;
  /** Shrink failing scenarios. Default true. */
  readonly shrink?: boolean;
  /** Re-runs allowed per shrink. Default 150. */
  readonly shrinkRunsMax?: number;
  readonly onResult?: (result: ScenarioResult) => void;
}

export interface ChaosFailure {
  readonly seed: number;
  readonly violations: readonly string[];
  /** The shortest step list found that still fails, one line per step. */
  readonly shrunkSteps: readonly string[];
  readonly shrinkRuns: number;
}

export interface ChaosReport {
  readonly seedsRun: number;
  readonly stepCount: number;
  readonly firstSeed: number;
  readonly faultsByKind: Readonly<Record<string, number>>;
  readonly webhooks: { accepted: number; duplicate: number; refused: number };
  readonly signalStates: Readonly<Record<string, number>>;
  readonly exchangeOrders: number;
  /** Final reconciliation runs by status. */
  readonly finalReconciliations: Readonly<Record<string, number>>;
  readonly restarts: number;
  /** Steps applied across all seeds, by kind. */
  readonly stepsByKind: Readonly<Record<string, number>>;
  /** Sends refused by Nobitex's 10-second duplicate guard (then sent again or looked up). */
  readonly duplicateGuardHits: number;
  /** Protective orders (issue 14) per role and journal state, and unprotected alerts. */
  readonly protection: Readonly<Record<string, number>>;
  readonly fakeTimeMs: number;
  readonly violations: number;
  readonly failures: readonly ChaosFailure[];
  readonly durationMs: number;
  /** Anomaly flags raised, and seeds with at least one flag no injected drift explains. */
  readonly anomalyFlags: number;
  readonly falseFlagSeeds: readonly number[];
  /** Fills pushed over the in-process WebSocket (issue 16), summed over the seeds that run it. */
  readonly pushed: Readonly<Record<string, number>>;
}

export async function runChaos(options: ChaosRunOptions = {}): Promise<ChaosReport> {
  const seedCount = checkCount('seedCount', options.seedCount ?? 100, 1, 1_000_000);
  const stepCount = checkCount('stepCount', options.stepCount ?? 30, 1, 10_000);
  const firstSeed = checkCount('firstSeed', options.firstSeed ?? 1, 0, 2 ** 31 - 1);
  const startedAt = performance.now();
  const faults: Record<string, number> = {};
  const states: Record<string, number> = {};
  const reconciliations: Record<string, number> = {};
  const webhooks = { accepted: 0, duplicate: 0, refused: 0 };
  const failures: ChaosFailure[] = [];
  let orders = 0;
  let restarts = 0;
  let duplicateGuardHits = 0;
  const stepsByKind: Record<string, number> = {};
  const protection: Record<string, number> = {};
  let fakeTimeMs = 0;
  let violations = 0;
  let anomalyFlags = 0;
  const falseFlagSeeds: number[] = [];
  const pushed: Record<string, number> = {};
  for (let seed = firstSeed; seed < firstSeed + seedCount; seed++) {
    const scenario = generateScenario(seed, stepCount);
    const result = await runScenario(scenario);
    options.onResult?.(result);
    for (const [kind, n] of Object.entries(result.faults) as [ChaosKind, number][])
      faults[kind] = (faults[kind] ?? 0) + n;
    for (const [kind, n] of Object.entries(result.guards)) faults[kind] = (faults[kind] ?? 0) + n;
    for (const [state, n] of Object.entries(result.signalStates)) states[state] = (states[state] ?? 0) + n;
    reconciliations[result.reconciliation] = (reconciliations[result.reconciliation] ?? 0) + 1;
    webhooks.accepted += result.webhooks.accepted;
    webhooks.duplicate += result.webhooks.duplicate;
    webhooks.refused += result.webhooks.refused;
    orders += result.orders;
    restarts += result.restarts;
    duplicateGuardHits += result.duplicateGuardHits;
    for (const [kind, n] of Object.entries(result.stepsByKind))
      stepsByKind[kind] = (stepsByKind[kind] ?? 0) + n;
    for (const [kind, n] of Object.entries(result.protection)) protection[kind] = (protection[kind] ?? 0) + n;
    for (const [kind, n] of Object.entries(result.pushed)) pushed[kind] = (pushed[kind] ?? 0) + n;
    fakeTimeMs += result.fakeTimeMs;
    anomalyFlags += result.anomalyFlags.total;
    if (result.anomalyFlags.falseFlags.length > 0) falseFlagSeeds.push(seed);
    if (result.violations.length === 0) continue;
    violations += result.violations.length;
    failures.push(await explain(scenario, result, options));
  }
  return {
    seedsRun: seedCount,
    stepCount,
    firstSeed,
    faultsByKind: faults,
    webhooks,
    signalStates: states,
    exchangeOrders: orders,
    finalReconciliations: reconciliations,
    restarts,
    stepsByKind,
    duplicateGuardHits,
    protection,
    fakeTimeMs,
    violations,
    failures,
    durationMs: Math.round(performance.now() - startedAt),
    anomalyFlags,
    falseFlagSeeds,
    pushed,
  };
}

async function explain(
  scenario: ReturnType<typeof generateScenario>,
  result: ScenarioResult,
  options: ChaosRunOptions,
): Promise<ChaosFailure> {
  if (options.shrink === false)
    return {
      seed: scenario.seed,
      violations: result.violations,
      shrunkSteps: scenario.steps.map(describeStep),
      shrinkRuns: 0,
    };
  const shrunk = await shrink(scenario, {
    runsMax: options.shrinkRunsMax ?? 150,
    fails: async (candidate) => (await runScenario(candidate)).violations.length > 0,
  });
  return {
    seed: scenario.seed,
    violations: result.violations,
    shrunkSteps: shrunk.steps.map(describeStep),
    shrinkRuns: shrunk.runs,
  };
}

function checkCount(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], was ${value}`);
  return value;
}
