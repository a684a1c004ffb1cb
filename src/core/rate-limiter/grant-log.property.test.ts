// Goal: GrantLog decides exactly as decideGrant (the sliding-log model) — the same waits, the same
// grants, the same live log — for any mix of weights, window sets and clock moves, backwards too.
// Method: fast-check drives both side by side; the model keeps a plain array pruned with pruneLog.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideGrant, pruneLog } from './decide-grant.js';
import { GrantLog } from './grant-log.js';
import type { RateLimitGrant, RateLimitWindow } from './rate-limit-store.js';

const windowsArbitrary = fc.array(
  fc.record({ limit: fc.integer({ min: 3, max: 40 }), windowMs: fc.integer({ min: 1, max: 2_000 }) }),
  { minLength: 1, maxLength: 3 },
);
const stepsArbitrary = fc.array(
  fc.record({ advanceMs: fc.integer({ min: -300, max: 700 }), weight: fc.integer({ min: 1, max: 3 }) }),
  { maxLength: 600 },
);

describe('GrantLog', () => {
  it('agrees with the decideGrant model on every step', () => {
    fc.assert(
      fc.property(windowsArbitrary, stepsArbitrary, (windows: RateLimitWindow[], steps) => {
        const log = new GrantLog(windows);
        let model: RateLimitGrant[] = [];
        let nowMs = 10_000;
        let latestMs = Number.NEGATIVE_INFINITY;
        for (const step of steps) {
          nowMs += step.advanceMs;
          model = pruneLog(model, windows, nowMs);
          const states = new Map([['k', { log: model, penaltyUntilMs: 0 }]]);
          const decision = decideGrant({ keys: [{ key: 'k', windows }], weight: step.weight, nowMs }, states);
          const waitMs = log.waitMs(windows, step.weight, nowMs);
          expect(waitMs).toBe(decision.granted ? 0 : decision.retryAfterMs);
          windows.forEach((window, w) => {
            const used = model
              .filter((grant) => grant.atMs > nowMs - window.windowMs)
              .reduce((sum, grant) => sum + grant.weight, 0);
            expect(log.used(w, nowMs)).toBe(used);
          });
          if (waitMs === 0) {
            log.append(nowMs, step.weight);
            // A clock stepping back books the grant at the latest instant (see GrantLog.append).
            const atMs = Math.max(nowMs, latestMs);
            latestMs = atMs;
            model = [...model, { atMs, weight: step.weight }];
          }
        }
        const live = log.grants(nowMs);
        expect(live.reduce((sum, grant) => sum + grant.weight, 0)).toBe(
          pruneLog(model, windows, nowMs).reduce((sum, grant) => sum + grant.weight, 0),
        );
      }),
      { numRuns: 300 },
    );
  });
});
