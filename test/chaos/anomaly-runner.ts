// `npm run chaos -- --anomaly`: per seed, one run with the slow leak and one control run with the same
// noise and no leak. Reports how many leaks were flagged before they reached the tolerance, and how
// many control runs raised any flag at all (a false flag).
import { type AnomalyRunResult, runAnomalyScenario } from './anomaly-scenario.js';
import { falseFlagRate } from './report.js';

export interface AnomalyChaosReport {
  readonly seedsRun: number;
  readonly firstSeed: number;
  readonly stepCount: number;
  /** Seeds whose leak was flagged before it reached the tolerance. */
  readonly detected: number;
  readonly missedSeeds: readonly number[];
  /** Minutes from the leak's start to its flag, per detected seed. */
  readonly detectionMinutes: readonly number[];
  readonly falseFlagSeeds: readonly number[];
  readonly errors: readonly string[];
  readonly durationMs: number;
}

/** Shares the issue asks for: at least 95 % detected, fewer than 1 % false. */
export const DETECTED_SHARE_MIN = 0.95;
export const FALSE_FLAG_SHARE_MAX = 0.01;

/** True while seeds with a false flag stay below FALSE_FLAG_SHARE_MAX of the seeds run. */
export const falseFlagsWithinShare = (falseFlagSeeds: readonly number[], seedsRun: number): boolean =>
  falseFlagSeeds.length < FALSE_FLAG_SHARE_MAX * seedsRun;

export async function runAnomalyChaos(options: {
  readonly seedCount: number;
  readonly firstSeed: number;
  readonly stepCount: number;
  readonly onResult?: (leak: AnomalyRunResult, control: AnomalyRunResult) => void;
}): Promise<AnomalyChaosReport> {
  const startedAt = performance.now();
  const missedSeeds: number[] = [];
  const falseFlagSeeds: number[] = [];
  const detectionMinutes: number[] = [];
  const errors: string[] = [];
  for (let seed = options.firstSeed; seed < options.firstSeed + options.seedCount; seed++) {
    const leak = await runAnomalyScenario(seed, { leak: true, stepCount: options.stepCount });
    const control = await runAnomalyScenario(seed, { leak: false, stepCount: options.stepCount });
    options.onResult?.(leak, control);
    const before =
      leak.flaggedAtMs !== null && (leak.reachedAtMs === null || leak.flaggedAtMs < leak.reachedAtMs);
    if (before) detectionMinutes.push(Math.round(((leak.flaggedAtMs ?? 0) - leak.startedAtMs) / 60_000));
    else missedSeeds.push(seed);
    if (control.falseFlags.length > 0 || leak.falseFlags.length > 0) falseFlagSeeds.push(seed);
    for (const run of [leak, control])
      if (run.error !== null) errors.push(`seed ${seed} (${run.leak ? 'leak' : 'control'}): ${run.error}`);
  }
  return {
    seedsRun: options.seedCount,
    firstSeed: options.firstSeed,
    stepCount: options.stepCount,
    detected: options.seedCount - missedSeeds.length,
    missedSeeds,
    detectionMinutes,
    falseFlagSeeds,
    errors,
    durationMs: Math.round(performance.now() - startedAt),
  };
}

export function anomalyReportPasses(report: AnomalyChaosReport): boolean {
  return (
    report.errors.length === 0 &&
    report.detected >= DETECTED_SHARE_MIN * report.seedsRun &&
    falseFlagsWithinShare(report.falseFlagSeeds, report.seedsRun)
  );
}

export function formatAnomalyReport(report: AnomalyChaosReport): string {
  const minutes = [...report.detectionMinutes].sort((a, b) => a - b);
  const at = (q: number) => minutes[Math.min(minutes.length - 1, Math.floor(q * minutes.length))] ?? 0;
  const percent = (n: number) => ((100 * n) / Math.max(1, report.seedsRun)).toFixed(1);
  const rows: [string, string][] = [
    ['seeds run', `${report.seedsRun} (from ${report.firstSeed}, ${report.stepCount} noise steps each)`],
    ['leak', '0.01 % of the USDT balance per hour; tolerance = one hour of it'],
    [
      'leak flagged before tolerance',
      `${report.detected} of ${report.seedsRun} seeds = ${percent(report.detected)} % (need >= ${DETECTED_SHARE_MIN * 100} %)`,
    ],
    [
      'minutes to flag (median, p95, max)',
      `${at(0.5)}, ${at(0.95)}, ${minutes.at(-1) ?? 0} (tolerance at 60)`,
    ],
    ['missed seeds', report.missedSeeds.slice(0, 20).join(', ') || 'none'],
    [
      'false anomaly flags',
      `${falseFlagRate(report.falseFlagSeeds, report.seedsRun)} (need < ${FALSE_FLAG_SHARE_MAX * 100} %)`,
    ],
    ['harness errors', String(report.errors.length)],
    ['time taken', `${(report.durationMs / 1000).toFixed(1)} s`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  const lines = rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`);
  for (const error of report.errors.slice(0, 10)) lines.push(`  error: ${error.split('\n')[0]}`);
  return lines.join('\n');
}
