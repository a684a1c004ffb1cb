// Goal: a reconciliation that runs after an OCO was accepted but before its stop leg is journaled
// (the look that journals it waits on a hung order-status request) leaves the base currency alone:
// the exchange already blocks the coins, the ledger keeps that block on the stop leg it does not know
// yet, so the difference is in flight, never a breach that halts trading. Replays chaos seed 1892.
// Method: the chaos world (whole app, simulator, fake clock), seed replayed in full.
import { describe, expect, it } from 'vitest';
import { runScenario } from './run-scenario.js';
import { generateScenario } from './scenario.js';

describe('reconciling while an OCO stop leg is not journaled yet', () => {
  it('replays chaos seed 1892 (30 steps) with no violation', async () => {
    const result = await runScenario(generateScenario(1892, 30));
    expect(result.violations).toEqual([]);
    expect(result.protection['oco ACCEPTED']).toBe(1);
  }, 300_000);
});
