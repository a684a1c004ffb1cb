// Does a breaker's failure path grow with its window? Calls alternate failure/success (50% failures,
// under every threshold, so no breaker opens) through Keel's CircuitBreakerPolicy with a CountBreaker
// or SamplingBreaker, and through opossum with as many rolling buckets (its default percentiles on).
import OpossumBreaker from 'opossum';
import type { Breaker } from '../../src/core/breaker/breaker.js';
import { CountBreaker } from '../../src/core/breaker/count-breaker.js';
import { SamplingBreaker } from '../../src/core/breaker/sampling-breaker.js';
import { CircuitBreakerPolicy } from '../../src/core/circuit-breaker.js';
import { type BenchRow, type BenchSuite, measure, microsPerCall } from '../harness.js';

const SUITE = 'breaker window';
const RUNS = 5;
const SIZES = [100, 1_000, 10_000] as const;
const FAILURE = new Error('bench failure');

/** Fails every other call. */
function alternating(): () => Promise<number> {
  let calls = 0;
  return async () => {
    calls++;
    if (calls % 2 === 0) throw FAILURE;
    return 1;
  };
}

async function keelMicros(breaker: Breaker): Promise<{ median: number; min: number; max: number }> {
  const policy = new CircuitBreakerPolicy({ breaker });
  const fn = alternating();
  const summary = await measure(RUNS, () =>
    microsPerCall(10_000, () => policy.execute(fn).catch(() => undefined)),
  );
  if (policy.state !== 'closed')
    throw new Error(`the bench breaker opened (${policy.state}): figures invalid`);
  return summary;
}

async function opossumMicros(size: number): Promise<{ median: number; min: number; max: number }> {
  const fn = alternating();
  const breaker = new OpossumBreaker(fn, {
    timeout: false,
    errorThresholdPercentage: 90,
    volumeThreshold: size,
    rollingCountBuckets: size,
    // 10 ms buckets: opossum rotates them on an interval.
    rollingCountTimeout: size * 10,
  });
  try {
    // opossum's per-call cost grows with the window: fewer calls for the larger ones.
    const iterations = Math.max(100, 50_000 / size);
    return await measure(3, () => microsPerCall(iterations, () => breaker.fire().catch(() => undefined)));
  } finally {
    breaker.shutdown();
  }
}

type Summary = { median: number; min: number; max: number };

function series(
  label: string,
  sizes: readonly number[],
  results: readonly Summary[],
  flatTarget: boolean,
): BenchRow[] {
  const smallest = results[0] as Summary;
  return results.map((result, index) => {
    const last = index === results.length - 1;
    return {
      suite: SUITE,
      name: `${label} window ${sizes[index]}`,
      unit: 'µs/call',
      ...result,
      ratio: result.median / smallest.median,
      baseline: `vs window ${sizes[0]}`,
      ...(last && flatTarget
        ? { target: 'largest/smallest < 2', met: result.median / smallest.median < 2 }
        : {}),
    };
  });
}

export const breakerWindowSuite: BenchSuite = {
  name: SUITE,
  async run() {
    const count: Summary[] = [];
    for (const size of SIZES)
      count.push(
        await keelMicros(new CountBreaker({ threshold: 0.9, windowCallCount: size, callsMin: size })),
      );
    // SamplingBreaker allows at most 1 000 buckets: its sizes are bucket counts 10, 100, 1 000.
    const bucketCounts = [10, 100, 1_000];
    const sampling: Summary[] = [];
    for (const bucketCount of bucketCounts)
      sampling.push(
        await keelMicros(new SamplingBreaker({ threshold: 0.9, windowMs: bucketCount * 100, bucketCount })),
      );
    const opossum: Summary[] = [];
    for (const size of SIZES) opossum.push(await opossumMicros(size));
    return [
      ...series('keel CountBreaker (calls)', SIZES, count, true),
      ...series('keel SamplingBreaker (buckets)', bucketCounts, sampling, true),
      ...series('opossum (buckets, percentiles on)', SIZES, opossum, false),
    ];
  },
};
