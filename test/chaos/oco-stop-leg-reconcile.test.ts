// Goal: a reconciliation that runs after an OCO was accepted but before its stop leg is journaled
// (the look that journals it waits on a hung order-status request) leaves the base currency alone:
// the exchange already blocks the coins, the ledger keeps that block on the stop leg it does not know
// yet, so the difference is in flight, never a breach that halts trading. Nor does it warn that the
// stop leg is an open order unknown to the journal: the OCO's placing answer named it (pairId) and the
// journal kept that id with the OCO (the order list shows no pairId). Replays chaos seed 1892.
// Method: the chaos world (whole app, simulator, fake clock), seed replayed in full.
import { describe, expect, it } from 'vitest';
import { runScenario } from './run-scenario.js';
import { generateScenario } from './scenario.js';

describe('reconciling while an OCO stop leg is not journaled yet', () => {
  it('replays chaos seed 1892 (30 steps) with no violation and no order reported unknown', async () => {
    const result = await runScenario(generateScenario(1892, 30));
    expect(result.violations).toEqual([]);
    expect(result.protection['oco ACCEPTED']).toBe(1);
    expect(result.reconciliation).not.toBe('none');
    expect(result.unknownOrders).toEqual([]);
  }, 300_000);
});
