// The end of a chaos run: a terminal table and a JSON file with the same numbers.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChaosReport } from './runner.js';

/** Writes `chaos-<time>.json` into `dir` and returns its path. */
export function writeReport(report: ChaosReport, dir: string, nowMs: number): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `chaos-${new Date(nowMs).toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}

export function formatReport(report: ChaosReport): string {
  const rows: [string, string][] = [
    ['seeds run', `${report.seedsRun} (from ${report.firstSeed}, ${report.stepCount} steps each)`],
    ...Object.entries(report.faultsByKind).map(([kind, n]): [string, string] => [
      `faults: ${kind}`,
      String(n),
    ]),
    ['webhooks accepted', String(report.webhooks.accepted)],
    ['webhooks duplicate', String(report.webhooks.duplicate)],
    ['webhooks refused', String(report.webhooks.refused)],
    ...Object.entries(report.signalStates).map(([state, n]): [string, string] => [
      `signals ${state}`,
      String(n),
    ]),
    ['exchange orders', String(report.exchangeOrders)],
    ...Object.entries(report.finalReconciliations).map(([status, n]): [string, string] => [
      `final reconciliation ${status}`,
      String(n),
    ]),
    ['restarts', String(report.restarts)],
    ...Object.entries(report.stepsByKind).map(([kind, n]): [string, string] => [`steps: ${kind}`, String(n)]),
    ['duplicate guard hits', String(report.duplicateGuardHits)],
    ...Object.entries(report.protection).map(([kind, n]): [string, string] => [
      `protection: ${kind}`,
      String(n),
    ]),
    ...Object.entries(report.pushed).map(([kind, n]): [string, string] => [
      `pushed fills: ${kind}`,
      String(n),
    ]),
    ['fake time', `${Math.round(report.fakeTimeMs / 1000)} s`],
    ['invariant violations', String(report.violations)],
    ['anomaly flags', String(report.anomalyFlags)],
    ['false anomaly flags', falseFlagRate(report.falseFlagSeeds, report.seedsRun)],
    ['time taken', `${(report.durationMs / 1000).toFixed(1)} s`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  const lines = rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`);
  for (const failure of report.failures) {
    lines.push(
      '',
      `FAILED seed ${failure.seed} (replay: npm run chaos -- --seed ${failure.seed} --steps ${report.stepCount})`,
    );
    for (const v of failure.violations) lines.push(`  violation: ${v}`);
    lines.push(`  shrunk to ${failure.shrunkSteps.length} steps after ${failure.shrinkRuns} re-runs:`);
    for (const [i, step] of failure.shrunkSteps.entries()) lines.push(`    ${i}. ${step}`);
  }
  return lines.join('\n');
}

/** Seeds with a false flag as a share of all seeds, and the first few seeds to replay. */
export function falseFlagRate(seeds: readonly number[], seedsRun: number): string {
  const percent = ((100 * seeds.length) / Math.max(1, seedsRun)).toFixed(2);
  const listed =
    seeds.length === 0 ? '' : ` (seeds ${seeds.slice(0, 10).join(', ')}${seeds.length > 10 ? ', …' : ''})`;
  return `${seeds.length} of ${seedsRun} seeds = ${percent} %${listed}`;
}
