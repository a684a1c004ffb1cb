// Goal: the limiter never grants more than a window's limit within ANY interval of windowMs, and
// never grants a key during its penalty, whatever the mix of calls. Method: fast-check generates
// sequences of weighted multi-key tryAcquire/acquire calls, penalties and clock advances on a
// FakeClock; every grant is logged, then replayed against every window position (the heaviest
// interval always starts at a grant, so checking those starts covers every position).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.js';
import { RateLimiter } from './rate-limiter.js';

const KEYS = {
  a: [
    { limit: 5, windowMs: 1_000 },
    { limit: 12, windowMs: 5_000 },
  ],
  b: [{ limit: 3, windowMs: 700 }],
  c: [{ limit: 8, windowMs: 3_000 }],
} as const;
type Key = keyof typeof KEYS;
const keyNames = Object.keys(KEYS) as Key[];

const keysArbitrary = fc.subarray(keyNames, { minLength: 1 });
const operationArbitrary = fc.oneof(
  fc.record({
    kind: fc.constant('try' as const),
    keys: keysArbitrary,
    weight: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({
    kind: fc.constant('acquire' as const),
    keys: keysArbitrary,
    weight: fc.integer({ min: 1, max: 3 }),
    waitMaxMs: fc.integer({ min: 0, max: 4_000 }),
  }),
  fc.record({
    kind: fc.constant('penalize' as const),
    key: fc.constantFrom(...keyNames),
    backOffMs: fc.integer({ min: 0, max: 3_000 }),
  }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 1_500 }) }),
);

interface Grant {
  /** Order of events, so a penalty only binds grants decided after it. */
  readonly sequence: number;
  readonly atMs: number;
  readonly keys: readonly string[];
  readonly weight: number;
}

function heaviestInterval(grants: readonly Grant[], key: string, windowMs: number): number {
  const onKey = grants.filter((grant) => grant.keys.includes(key));
  let heaviest = 0;
  for (const start of onKey) {
    const inside = onKey.filter((grant) => grant.atMs >= start.atMs && grant.atMs < start.atMs + windowMs);
    heaviest = Math.max(
      heaviest,
      inside.reduce((sum, grant) => sum + grant.weight, 0),
    );
  }
  return heaviest;
}

describe('RateLimiter properties', () => {
  it('never grants more than the limit in any window, nor during a penalty', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operationArbitrary, { maxLength: 80 }), async (operations) => {
        const clock = new FakeClock(0);
        const limiter = new RateLimiter({ keys: KEYS, clock });
        const grants: Grant[] = [];
        const penalties: { sequence: number; key: string; untilMs: number }[] = [];
        let sequence = 0;
        limiter.onGrant((event) =>
          grants.push({ sequence: sequence++, atMs: clock.nowMs(), keys: event.keys, weight: event.weight }),
        );
        limiter.onPenalty((event) =>
          penalties.push({ sequence: sequence++, key: event.key, untilMs: event.untilMs }),
        );
        const pending: Promise<unknown>[] = [];
        let grantedDirectly = 0;
        for (const operation of operations) {
          if (operation.kind === 'try') {
            if ((await limiter.tryAcquire(operation)).granted) grantedDirectly++;
          } else if (operation.kind === 'acquire') {
            pending.push(
              limiter.acquire(operation).then(
                () => 'granted',
                () => 'rejected',
              ),
            );
          } else if (operation.kind === 'penalize') {
            await limiter.penalize(operation.key, operation.backOffMs);
          } else {
            await clock.advance(operation.ms);
          }
        }
        await clock.advance(0); // let acquires started last reach their sleep
        await clock.runAll();
        const outcomes = await Promise.all(pending);
        expect(grants.length).toBe(
          grantedDirectly + outcomes.filter((outcome) => outcome === 'granted').length,
        );
        for (const key of keyNames)
          for (const window of KEYS[key])
            expect(heaviestInterval(grants, key, window.windowMs)).toBeLessThanOrEqual(window.limit);
        for (const penalty of penalties) {
          const during = grants.filter(
            (grant) =>
              grant.keys.includes(penalty.key) &&
              grant.sequence > penalty.sequence &&
              grant.atMs < penalty.untilMs,
          );
          expect(during).toEqual([]);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('retryAfterMs is exact: refused one ms before, granted at it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            keys: keysArbitrary,
            weight: fc.integer({ min: 1, max: 3 }),
            ms: fc.integer({ min: 0, max: 900 }),
          }),
          {
            maxLength: 40,
          },
        ),
        keysArbitrary,
        fc.integer({ min: 1, max: 3 }),
        async (history, keys, weight) => {
          const clock = new FakeClock(0);
          const limiter = new RateLimiter({ keys: KEYS, clock });
          for (const step of history) {
            await limiter.tryAcquire(step);
            await clock.advance(step.ms);
          }
          const attempt = await limiter.tryAcquire({ keys, weight });
          if (attempt.granted) return;
          await clock.advance(attempt.retryAfterMs - 1);
          expect((await limiter.tryAcquire({ keys, weight })).granted).toBe(false);
          await clock.advance(1);
          expect(await limiter.tryAcquire({ keys, weight })).toEqual({ granted: true });
        },
      ),
      { numRuns: 150 },
    );
  });
});
