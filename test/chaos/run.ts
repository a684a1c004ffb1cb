// `npm run chaos -- [--seeds N] [--seed S] [--first-seed S] [--steps K] [--no-shrink] [--out DIR]`:
// runs seeded chaos scenarios against the whole stack in one process and exits non-zero on any
// invariant violation, or when 1 % of the seeds or more raise an anomaly flag nothing in them explains.
// `--seed S` replays exactly one seed. `--anomaly` runs the anomaly detector's leak and control
// scenarios instead (an hour of fake time each) and exits non-zero below target.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { falseFlagsWithinShare } from './anomaly-runner.js';
import { formatReport, writeReport } from './report.js';
import { runAnomalyCli } from './run-anomaly.js';
import { runChaos } from './runner.js';

const integer = (value: string): number => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a non-negative integer, was ${value}`);
  return Number(value);
};

const program = new Command('chaos')
  .option('--seeds <n>', 'number of seeds', integer, 100)
  .option('--seed <s>', 'replay exactly this seed', integer)
  .option('--first-seed <s>', 'first seed of the range', integer, 1)
  .option('--steps <k>', 'steps per scenario', integer, 30)
  .option('--no-shrink', 'report failures without shrinking')
  .option('--out <dir>', 'folder for the JSON report', join(tmpdir(), 'keel-chaos-results'))
  .option('--anomaly', 'leak and control runs of the anomaly detector instead of the invariant runs')
  .parse();

const opts = program.opts<{
  seeds: number;
  seed?: number;
  firstSeed: number;
  steps: number;
  shrink: boolean;
  out: string;
  anomaly?: boolean;
}>();

if (opts.anomaly === true) {
  const seedCount = opts.seed === undefined ? opts.seeds : 1;
  const firstSeed = opts.seed ?? opts.firstSeed;
  // stdout is synchronous on files and pipes, so the report is out before the exit.
  process.exit(await runAnomalyCli({ seedCount, firstSeed, stepCount: opts.steps }));
}

let done = 0;
const report = await runChaos({
  seedCount: opts.seed === undefined ? opts.seeds : 1,
  firstSeed: opts.seed ?? opts.firstSeed,
  stepCount: opts.steps,
  shrink: opts.shrink,
  onResult: (result) => {
    done++;
    if (result.violations.length > 0)
      process.stdout.write(`\nseed ${result.seed}: ${result.violations.length} violation(s)\n`);
    else if (done % 50 === 0) process.stdout.write(`  ${done} seeds ok\n`);
  },
});
process.stdout.write(`\n${formatReport(report)}\n`);
process.stdout.write(`\nreport: ${writeReport(report, opts.out, Date.now())}\n`);
const passed = report.violations === 0 && falseFlagsWithinShare(report.falseFlagSeeds, report.seedsRun);
process.exitCode = passed ? 0 : 1;
