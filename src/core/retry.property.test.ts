// Goal: retry never exceeds its attempt or time budget for random error sequences, attempt
// durations, backoffs and budgets, and always ends with exactly one onSuccess or onGiveUp.
// Method: fast-check scripts each attempt's duration and outcome; a FakeClock runs all waits.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Backoff } from './backoff/backoff.js';
import { ConstantBackoff } from './backoff/constant-backoff.js';
import { DecorrelatedJitterBackoff } from './backoff/decorrelated-jitter-backoff.js';
import { ExponentialBackoff } from './backoff/exponential-backoff.js';
import { FakeClock } from './clock.js';
import { createRng } from './random.js';
import { RetryPolicy } from './retry.js';

const stepArb = fc.record({
  durationMs: fc.nat(2_000),
  outcome: fc.oneof(
    fc.constant({ kind: 'ok' as const }),
    fc.constant({ kind: 'retry' as const }),
    fc.constant({ kind: 'stop' as const }),
    fc.record({ kind: fc.constant('retryAfter' as const), delayMs: fc.nat(5_000) }),
  ),
});
const backoffArb = fc.record({
  kind: fc.constantFrom('constant', 'exponential', 'decorrelated'),
  seed: fc.integer(),
});

function backoffOf(kind: string, seed: number): Backoff {
  if (kind === 'constant') return new ConstantBackoff({ delayMs: Math.abs(seed) % 3_000 });
  if (kind === 'exponential')
    return new ExponentialBackoff({ delayInitialMs: 200, delayMaxMs: 5_000, rng: createRng(seed) });
  return new DecorrelatedJitterBackoff({ delayInitialMs: 100, delayMaxMs: 5_000, rng: createRng(seed) });
}

class Scripted extends Error {
  constructor(
    readonly decision: { kind: 'retry' } | { kind: 'stop' } | { kind: 'retryAfter'; delayMs: number },
  ) {
    super(decision.kind);
  }
}

describe('RetryPolicy properties', () => {
  it('never exceeds attemptsMax or elapsedMaxMs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 20_000 }),
        backoffArb,
        fc.array(stepArb, { minLength: 1, maxLength: 12 }),
        fc.integer(),
        async (attemptsMax, elapsedMaxMs, backoff, steps, seed) => {
          const clock = new FakeClock();
          const startMs = clock.nowMs();
          const policy = new RetryPolicy({
            attemptsMax,
            elapsedMaxMs,
            backoff: backoffOf(backoff.kind, backoff.seed),
            classify: (error) => (error instanceof Scripted ? error.decision : { kind: 'stop' }),
            clock,
            rng: createRng(seed),
          });
          const starts: number[] = [];
          const thrown: unknown[] = [];
          let endings = 0;
          policy.onRetry(({ attempt, delayMs }) => {
            expect(attempt).toBe(starts.length);
            expect(clock.nowMs() + delayMs).toBeLessThan(startMs + elapsedMaxMs);
          });
          policy.onGiveUp(() => endings++);
          policy.onSuccess(() => endings++);
          const call = policy.execute(async ({ attempt }) => {
            starts.push(clock.nowMs());
            expect(attempt).toBe(starts.length);
            const step = steps[Math.min(starts.length, steps.length) - 1] ?? {
              durationMs: 0,
              outcome: { kind: 'ok' },
            };
            await clock.sleep(step.durationMs);
            if (step.outcome.kind === 'ok') return 'ok';
            const error = new Scripted(step.outcome);
            thrown.push(error);
            throw error;
          });
          call.catch(() => undefined);
          await clock.runAll(10_000_000);
          const settled = await call.then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          );
          expect(starts.length).toBeGreaterThanOrEqual(1);
          expect(starts.length).toBeLessThanOrEqual(attemptsMax);
          for (const atMs of starts) expect(atMs - startMs).toBeLessThan(elapsedMaxMs);
          expect(endings).toBe(1);
          if ('error' in settled) expect(settled.error).toBe(thrown.at(-1));
          else expect(thrown.length).toBe(starts.length - 1);
        },
      ),
      { numRuns: 200 },
    );
  });
});
