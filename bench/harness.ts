// Bench harness: each suite returns rows; a row carries its figures, its target and whether it was met.
// Figures are the median of several runs with min–max, because this machine is shared and noisy.

export interface BenchRow {
  readonly suite: string;
  readonly name: string;
  /** Median of the runs, in `unit`. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly unit: string;
  /** Ratio against the baseline row of the same comparison, when there is one. */
  readonly ratio?: number;
  readonly baseline?: string;
  readonly target?: string;
  readonly met?: boolean;
}

export interface BenchSuite {
  readonly name: string;
  run(): Promise<BenchRow[]>;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Median, min and max of figures, as a row shows them. */
export function summarize(values: readonly number[]): { median: number; min: number; max: number } {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** Runs `sample` `runs` times and summarizes; `sample` returns one figure per run. */
export async function measure(
  runs: number,
  sample: () => Promise<number> | number,
): Promise<{ median: number; min: number; max: number }> {
  const values: number[] = [];
  for (let i = 0; i < runs; i++) values.push(await sample());
  return summarize(values);
}

/** Mean µs per call of `fn` over `iterations` calls, after a warm-up. */
export async function microsPerCall(iterations: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(1_000, iterations); i++) await fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await fn();
  const elapsedNs = Number(process.hrtime.bigint() - start);
  return elapsedNs / iterations / 1_000;
}

/**
 * Mean µs of this process's CPU (user + system) per call of `fn`, after a warm-up. For in-process
 * overheads on a shared machine: time the scheduler gives to other processes is not counted.
 */
export async function cpuMicrosPerCall(iterations: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(1_000, iterations); i++) await fn();
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / iterations;
}

export function formatRows(rows: readonly BenchRow[]): string {
  const header = ['suite', 'measurement', 'median', 'min–max', 'unit', 'ratio', 'target', 'met'];
  const body = rows.map((row) => [
    row.suite,
    row.name,
    fmt(row.median),
    `${fmt(row.min)}–${fmt(row.max)}`,
    row.unit,
    row.ratio === undefined ? '' : `${row.ratio.toFixed(2)}x ${row.baseline ?? ''}`.trim(),
    row.target ?? '',
    row.met === undefined ? '' : row.met ? 'met' : 'NOT MET',
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((line) => (line[column] ?? '').length)),
  );
  const render = (line: readonly string[]) =>
    line.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
  return [render(header), render(widths.map((width) => '-'.repeat(width))), ...body.map(render)].join('\n');
}

const fmt = (value: number) =>
  Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toFixed(3);

/** The value at quantile `q` in [0, 1] (nearest rank) of unsorted values; 0 when empty. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

/** A summary with every figure shifted by `minus` (e.g. the bare call's median, to get overhead). */
export function minus(
  summary: { median: number; min: number; max: number },
  value: number,
): { median: number; min: number; max: number } {
  return { median: summary.median - value, min: summary.min - value, max: summary.max - value };
}

/** Resolves after `ms` of real time (benches measure real time; no FakeClock here). */
export const sleepMs = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
