// Goal: for any sequence of outcomes, durations, clock moves and manual actions the breaker only
// makes transitions from the table, in a connected chain, never over-admits probes, and rejects only
// when not closed. Method: fast-check drives a policy on a FakeClock and checks every onStateChange.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExponentialBackoff } from './backoff/exponential-backoff.js';
import type { Breaker } from './breaker/breaker.js';
import { ConsecutiveBreaker } from './breaker/consecutive-breaker.js';
import { CountBreaker } from './breaker/count-breaker.js';
import { SamplingBreaker } from './breaker/sampling-breaker.js';
import { CircuitBreakerPolicy, type CircuitStateChange } from './circuit-breaker.js';
import { isLegalTransition } from './circuit-state.js';
import { FakeClock } from './clock.js';
import { isCircuitOpenError } from './errors.js';
import type { Disposable } from './events.js';
import { createRng } from './random.js';

const outcomeArb = fc.constantFrom('ok', 'error', 'ignored', 'badResult');
const opArb = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('call'), durationMs: fc.nat(600), outcome: outcomeArb }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('advance'), ms: fc.nat(2_500) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'isolate' }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'release' }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reset' }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('restore'),
      to: fc.constantFrom('closed', 'open', 'halfOpen', 'isolated'),
    }),
  },
);
const configArb = fc.record({
  strategy: fc.constantFrom('consecutive', 'count', 'sampling'),
  halfOpenProbesMax: fc.integer({ min: 1, max: 3 }),
  slowCallDurationMs: fc.integer({ min: 50, max: 700 }),
  seed: fc.integer(),
});

type Op = { kind: string; durationMs?: number; outcome?: string; ms?: number; to?: string };
type Config = { strategy: string; halfOpenProbesMax: number; slowCallDurationMs: number; seed: number };

function strategyOf(name: string, clock: FakeClock): Breaker {
  if (name === 'consecutive') return new ConsecutiveBreaker({ failuresMax: 2 });
  if (name === 'count') return new CountBreaker({ threshold: 0.5, windowCallCount: 6, callsMin: 3 });
  return new SamplingBreaker({ threshold: 0.5, windowMs: 2_000, bucketCount: 4, callsMin: 3, clock });
}

function restoreJson(to: string, nowMs: number, policy: CircuitBreakerPolicy) {
  const strategy = policy.toJSON().strategy;
  if (to === 'open')
    return {
      version: 1,
      strategy,
      state: { kind: 'open', openedAtMs: nowMs, retryAtMs: nowMs + 700, reopenCount: 1 },
    } as const;
  if (to === 'halfOpen')
    return { version: 1, strategy, state: { kind: 'halfOpen', reopenCount: 0 } } as const;
  return { version: 1, strategy, state: { kind: to as 'closed' | 'isolated' } } as const;
}

async function run(config: Config, ops: readonly Op[]): Promise<number> {
  const clock = new FakeClock(1_000_000);
  const policy = new CircuitBreakerPolicy({
    breaker: strategyOf(config.strategy, clock),
    breakBackoff: new ExponentialBackoff({
      delayInitialMs: 500,
      delayMaxMs: 4_000,
      rng: createRng(config.seed),
    }),
    halfOpenProbesMax: config.halfOpenProbesMax,
    slowCallDurationMs: config.slowCallDurationMs,
    isFailure: (error) => !(error instanceof TypeError),
    isResultFailure: (result) => result === 'bad',
    clock,
  });
  const changes: CircuitStateChange[] = [];
  policy.onStateChange((change) => changes.push(change));
  const probesInFlight = new Map<number, number>();
  const handles: Disposable[] = [];
  const calls: Promise<void>[] = [];
  for (const op of ops) {
    if (op.kind === 'call') {
      let stateAtCall = 'closed';
      const call = policy.execute(async () => {
        const period = changes.length;
        const probe = policy.state === 'halfOpen';
        if (probe) {
          probesInFlight.set(period, (probesInFlight.get(period) ?? 0) + 1);
          expect(probesInFlight.get(period)).toBeLessThanOrEqual(config.halfOpenProbesMax);
        }
        await clock.sleep(op.durationMs ?? 0);
        if (op.outcome === 'error') throw new Error('down');
        if (op.outcome === 'ignored') throw new TypeError('not evidence');
        return op.outcome === 'badResult' ? 'bad' : 'ok';
      });
      stateAtCall = policy.state;
      calls.push(
        call.then(
          () => undefined,
          (error: unknown) => {
            if (isCircuitOpenError(error)) expect(stateAtCall).not.toBe('closed');
          },
        ),
      );
    } else if (op.kind === 'advance') await clock.advance(op.ms ?? 0);
    else if (op.kind === 'isolate') handles.push(policy.isolate());
    else if (op.kind === 'release') handles.shift()?.dispose();
    else if (op.kind === 'reset') policy.reset();
    else policy.restore(restoreJson(op.to ?? 'closed', clock.nowMs(), policy));
  }
  await clock.runAll();
  await Promise.all(calls);
  let previous = 'closed';
  for (const change of changes) {
    expect(isLegalTransition(change.from, change.to), `${change.from} -> ${change.to}`).toBe(true);
    expect(change.from).toBe(previous);
    previous = change.to;
  }
  return changes.length;
}

describe('CircuitBreakerPolicy properties', () => {
  it('never makes a transition outside the table, for random outcomes, durations and clock moves', async () => {
    let transitionCount = 0;
    await fc.assert(
      fc.asyncProperty(configArb, fc.array(opArb, { minLength: 10, maxLength: 60 }), async (config, ops) => {
        transitionCount += await run(config, ops);
      }),
      { numRuns: 150 },
    );
    expect(transitionCount).toBeGreaterThan(300); // the generator really exercises the state machine
  });
});
