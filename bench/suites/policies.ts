// Policy overhead per call: Keel's policies alone and composed, against cockatiel and opossum and a
// bare `await fn()`, on the success path and on the failure path (fn rejects with a ready error).
// Overhead = µs of CPU per call minus the bare call's median in the same run (CPU time, because this
// shared machine's other processes would otherwise count as overhead). Policies never trip here:
// the breakers need more consecutive failures than the bench makes, so both paths stay "closed".
import {
  bulkhead,
  ConsecutiveBreaker as CockatielConsecutive,
  circuitBreaker,
  wrap as cockatielWrap,
  handleAll,
  type IPolicy,
  retry,
  TimeoutStrategy,
  timeout,
} from 'cockatiel';
import OpossumBreaker from 'opossum';
import { ConsecutiveBreaker } from '../../src/core/breaker/consecutive-breaker.js';
import { BulkheadPolicy } from '../../src/core/bulkhead.js';
import { CircuitBreakerPolicy } from '../../src/core/circuit-breaker.js';
import type { Policy } from '../../src/core/policy.js';
import { RateLimitPolicy } from '../../src/core/rate-limiter/rate-limit-policy.js';
import { RateLimiter } from '../../src/core/rate-limiter/rate-limiter.js';
import { RetryPolicy } from '../../src/core/retry.js';
import { TimeoutPolicy } from '../../src/core/timeout.js';
import { wrap } from '../../src/core/wrap.js';
import { type BenchRow, type BenchSuite, cpuMicrosPerCall, measure, minus } from '../harness.js';

const RUNS = 5;
const ITERATIONS = 10_000;
const SUITE = 'policies';
const FAILURE = new Error('bench failure');
const succeed = async (): Promise<number> => 1;
const fail = async (): Promise<number> => {
  throw FAILURE;
};

type Path = 'success' | 'failure';
type Summary = { median: number; min: number; max: number };

/** Fresh Keel policies per path: failure paths do not retry (a retry would wait a backoff). */
function keelPolicies(path: Path): Record<string, Policy> {
  const breaker = () =>
    new CircuitBreakerPolicy({ breaker: new ConsecutiveBreaker({ failuresMax: 1_000_000 }) });
  const retryPolicy = () =>
    new RetryPolicy({ attemptsMax: path === 'success' ? 3 : 1, elapsedMaxMs: 60_000 });
  const bulkheadPolicy = () => new BulkheadPolicy({ concurrentMax: 10, queueMax: 100 });
  const rateLimit = () =>
    new RateLimitPolicy({
      limiter: new RateLimiter({ keys: { bench: [{ limit: 1_000_000_000, windowMs: 1_000 }] } }),
      keys: ['bench'],
    });
  const timeoutPolicy = () => new TimeoutPolicy({ durationMs: 10_000 });
  return {
    breaker: breaker(),
    retry: retryPolicy(),
    bulkhead: bulkheadPolicy(),
    rateLimit: rateLimit(),
    timeout: timeoutPolicy(),
    'breaker+retry+bulkhead+timeout': wrap(breaker(), retryPolicy(), bulkheadPolicy(), timeoutPolicy()),
    'full pipeline (5, wrap)': wrap(breaker(), retryPolicy(), bulkheadPolicy(), rateLimit(), timeoutPolicy()),
  };
}

function cockatielPolicies(path: Path): Record<string, IPolicy> {
  const breaker = () =>
    circuitBreaker(handleAll, {
      halfOpenAfter: 10_000,
      breaker: new CockatielConsecutive(Number.MAX_SAFE_INTEGER),
    });
  const retryPolicy = () => retry(handleAll, { maxAttempts: path === 'success' ? 2 : 0 });
  const bulkheadPolicy = () => bulkhead(10, 100);
  const timeoutPolicy = () => timeout(10_000, TimeoutStrategy.Cooperative);
  const four = () => cockatielWrap(breaker(), retryPolicy(), bulkheadPolicy(), timeoutPolicy());
  return {
    breaker: breaker(),
    retry: retryPolicy(),
    bulkhead: bulkheadPolicy(),
    timeout: timeoutPolicy(),
    'breaker+retry+bulkhead+timeout': four(),
    // cockatiel has no rate limiter: its "full pipeline" is the same four policies.
    'full pipeline (5, wrap)': four(),
  };
}

async function sample(call: () => Promise<unknown>, iterations = ITERATIONS): Promise<Summary> {
  return measure(RUNS, () => cpuMicrosPerCall(iterations, () => call().catch(() => undefined)));
}

async function pathRows(path: Path): Promise<BenchRow[]> {
  const fn = path === 'success' ? succeed : fail;
  const bare = await sample(fn);
  const rows: BenchRow[] = [
    { suite: SUITE, name: `${path}: bare await fn() (baseline)`, unit: 'CPU µs/call', ...bare },
  ];
  const keel = keelPolicies(path);
  const cockatiel = cockatielPolicies(path);
  for (const name of Object.keys(keel)) {
    const keelPolicy = keel[name] as Policy;
    const cockatielPolicy = cockatiel[name];
    const keelOverhead = minus(await sample(() => keelPolicy.execute(fn)), bare.median);
    const cockatielOverhead =
      cockatielPolicy === undefined
        ? undefined
        : minus(await sample(() => cockatielPolicy.execute(fn)), bare.median);
    rows.push({
      suite: SUITE,
      name: `${path}: keel ${name}`,
      unit: 'CPU µs overhead',
      ...keelOverhead,
      ...(cockatielOverhead === undefined
        ? {}
        : { ratio: keelOverhead.median / cockatielOverhead.median, baseline: 'vs cockatiel' }),
      ...targets(path, name, keelOverhead, cockatielOverhead),
    });
    rows.push(
      cockatielOverhead === undefined
        ? {
            suite: SUITE,
            name: `${path}: cockatiel ${name}: none (no rate limiter)`,
            unit: '',
            median: 0,
            min: 0,
            max: 0,
          }
        : { suite: SUITE, name: `${path}: cockatiel ${name}`, unit: 'CPU µs overhead', ...cockatielOverhead },
    );
    if (name === 'breaker') rows.push(await opossumRow(path, fn, bare.median, cockatielOverhead));
  }
  return rows;
}

function targets(path: Path, name: string, keel: Summary, cockatiel: Summary | undefined) {
  if (path !== 'success' || cockatiel === undefined) return {};
  if (name === 'full pipeline (5, wrap)')
    return {
      target: '< 5 µs and < cockatiel (4, no limiter)',
      met: keel.median < 5 && keel.median < cockatiel.median,
    };
  if (name === 'breaker+retry+bulkhead+timeout')
    return { target: '< cockatiel same 4', met: keel.median < cockatiel.median };
  return {};
}

async function opossumRow(
  path: Path,
  fn: () => Promise<number>,
  bareMedian: number,
  cockatiel: Summary | undefined,
): Promise<BenchRow> {
  const breaker = new OpossumBreaker(fn, { timeout: false, volumeThreshold: Number.MAX_SAFE_INTEGER });
  try {
    // opossum's failure path recomputes its window statistics per call: fewer calls keep the run short.
    const iterations = path === 'failure' ? ITERATIONS / 10 : ITERATIONS;
    const overhead = minus(await sample(() => breaker.fire(), iterations), bareMedian);
    return {
      suite: SUITE,
      name: `${path}: opossum CircuitBreaker (timeout off)`,
      unit: 'CPU µs overhead',
      ...overhead,
      ...(cockatiel === undefined
        ? {}
        : { ratio: overhead.median / cockatiel.median, baseline: 'vs cockatiel' }),
    };
  } finally {
    breaker.shutdown();
  }
}

export const policiesSuite: BenchSuite = {
  name: SUITE,
  async run() {
    return [...(await pathRows('success')), ...(await pathRows('failure'))];
  },
};
