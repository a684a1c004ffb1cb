// `npm run bench [-- --only NAME]`: runs every suite, prints one table, writes JSON to bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { type BenchRow, type BenchSuite, formatRows } from './harness.js';
import { suites } from './suites/index.js';

async function main(argv: readonly string[]): Promise<number> {
  const onlyIndex = argv.indexOf('--only');
  const only = onlyIndex >= 0 ? argv[onlyIndex + 1] : undefined;
  const selected: BenchSuite[] = suites.filter((suite) => only === undefined || suite.name === only);
  const rows: BenchRow[] = [];
  const startedAtMs = Date.now();
  for (const suite of selected) {
    process.stdout.write(`bench: ${suite.name}…\n`);
    rows.push(...(await suite.run()));
  }
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    node: process.version,
  };
  process.stdout.write(
    `\n${formatRows(rows)}\n\nmachine: ${machine.cpuModel}, ${machine.cpus} cores, node ${machine.node}\n`,
  );
  mkdirSync(join('bench', 'results'), { recursive: true });
  const file = join(
    'bench',
    'results',
    `bench-${new Date(startedAtMs).toISOString().replace(/[:.]/g, '-')}.json`,
  );
  writeFileSync(
    file,
    JSON.stringify({ startedAtMs, durationMs: Date.now() - startedAtMs, machine, rows }, null, 2),
  );
  process.stdout.write(`results: ${file}\nduration: ${((Date.now() - startedAtMs) / 1_000).toFixed(1)} s\n`);
  const missed = rows.filter((row) => row.met === false);
  if (missed.length > 0) process.stdout.write(`${missed.length} target(s) not met\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
