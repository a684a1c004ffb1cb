// Goal: each endpoint group's breaker is a kind with that kind's parameters; a breaker without a kind
// keeps the old meaning (consecutive failures or a failure rate), and bad input names what is expected.
// Method: parse nobitex sections with the schema and read the problems loadConfig reports.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';
import { nobitexSchema } from './schema-nobitex.js';

const breakerOf = (orders: unknown) => nobitexSchema.parse({ breaker: { orders } }).breaker.orders;

function problemsOf(orders: unknown) {
  const cwd = mkdtempSync(join(tmpdir(), 'keel-breaker-'));
  try {
    writeFileSync(join(cwd, 'keel.config.json'), JSON.stringify({ nobitex: { breaker: { orders } } }));
    const result = loadConfig({ env: {}, cwd });
    if (result.ok) throw new Error('expected problems, config was accepted');
    return result.problems.map(({ path, expected }) => ({ path, expected }));
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

describe('breaker settings', () => {
  it('defaults to consecutiveOrSampling with the old parameters, with or without a kind', () => {
    expect(breakerOf(undefined)).toEqual({
      kind: 'consecutiveOrSampling',
      breakDurationMs: 30_000,
      breakDurationMaxMs: 300_000,
      halfOpenProbesMax: 1,
      failureThreshold: 5,
      failureRateThreshold: 0.5,
      failureRateWindowMs: 300_000,
      failureRateCallsMin: 6,
    });
    expect(breakerOf({ failureThreshold: 3 })).toMatchObject({
      kind: 'consecutiveOrSampling',
      failureThreshold: 3,
    });
  });

  it('gives each kind only its own parameters, with defaults', () => {
    expect(breakerOf({ kind: 'consecutive' })).toEqual({
      kind: 'consecutive',
      breakDurationMs: 30_000,
      breakDurationMaxMs: 300_000,
      halfOpenProbesMax: 1,
      failureThreshold: 5,
    });
    expect(breakerOf({ kind: 'count', slowCallDurationMs: 2_000 })).toMatchObject({
      kind: 'count',
      windowCallCount: 100,
      failureRateCallsMin: 6,
      slowCallDurationMs: 2_000,
    });
  });

  it('refuses an unknown kind, a parameter of another kind and a count window smaller than its minimum', () => {
    expect(problemsOf({ kind: 'slow' })).toEqual([
      {
        path: 'nobitex.breaker.orders.kind',
        expected: 'breaker with a kind: one of "consecutiveOrSampling", "consecutive", "sampling", "count"',
      },
    ]);
    expect(problemsOf({ kind: 'consecutive', failureRateThreshold: 0.2 })).toEqual([
      expect.objectContaining({ path: 'nobitex.breaker.orders.failureRateThreshold' }),
    ]);
    expect(problemsOf({ kind: 'count', windowCallCount: 5, failureRateCallsMin: 10 })).toEqual([
      {
        path: 'nobitex.breaker.orders.failureRateCallsMin',
        expected: 'failureRateCallsMin no larger than windowCallCount',
      },
    ]);
  });
});
