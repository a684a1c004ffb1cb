// The `--anomaly` mode of `npm run chaos`: leak and control runs per seed, a report, and the exit code.
import { anomalyReportPasses, formatAnomalyReport, runAnomalyChaos } from './anomaly-runner.js';

/** Runs the seeds and prints the report; resolves with the process exit code. */
export async function runAnomalyCli(options: {
  readonly seedCount: number;
  readonly firstSeed: number;
  readonly stepCount: number;
}): Promise<number> {
  let seedsDone = 0;
  const report = await runAnomalyChaos({
    ...options,
    onResult: (leak, control) => {
      seedsDone++;
      const missed =
        leak.flaggedAtMs === null || (leak.reachedAtMs !== null && leak.flaggedAtMs >= leak.reachedAtMs);
      if (missed) process.stdout.write(`\nseed ${leak.seed}: leak not flagged before the tolerance\n`);
      const falseFlags = [...leak.falseFlags, ...control.falseFlags];
      if (falseFlags.length > 0)
        process.stdout.write(`\nseed ${leak.seed}: false flag ${falseFlags.join(', ')}\n`);
      if (seedsDone % 10 === 0) process.stdout.write(`  ${seedsDone} seeds done\n`);
    },
  });
  process.stdout.write(`\n${formatAnomalyReport(report)}\n`);
  return anomalyReportPasses(report) ? 0 : 1;
}
