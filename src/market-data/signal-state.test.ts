// Goal: the signal state table holds exactly the intended edges. Method: every pair of states,
// it.each; pairs in the table pass, every other pair throws naming the edge.
import { describe, expect, it } from 'vitest';
import { isIllegalSignalTransitionError } from './errors.js';
import { assertSignalTransition, isSignalTransitionAllowed, type SignalState } from './signal-state.js';

const STATES: readonly SignalState[] = [
  'received',
  'processing',
  'executed',
  'rejected',
  'failed',
  'quarantined',
];
const ALLOWED = new Set([
  'received>processing',
  'received>rejected',
  'received>quarantined',
  'processing>executed',
  'processing>rejected',
  'processing>failed',
  'processing>received',
  'processing>quarantined',
  'failed>processing',
  'failed>quarantined',
  'quarantined>received',
]);
const PAIRS = STATES.flatMap((from) => STATES.map((to) => [from, to] as const));

describe('signal state table', () => {
  it.each(PAIRS)('%s -> %s is allowed only if listed', (from, to) => {
    const listed = ALLOWED.has(`${from}>${to}`);
    expect(isSignalTransitionAllowed(from, to)).toBe(listed);
    if (listed) expect(() => assertSignalTransition('S1', from, to)).not.toThrow();
    else {
      const error = (() => {
        try {
          assertSignalTransition('S1', from, to);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(isIllegalSignalTransitionError(error)).toBe(true);
      expect((error as Error).message).toBe(`signal S1: ${from} -> ${to}`);
    }
  });

  it('leaves the terminal states executed and rejected', () => {
    for (const to of STATES) {
      expect(isSignalTransitionAllowed('executed', to)).toBe(false);
      expect(isSignalTransitionAllowed('rejected', to)).toBe(false);
    }
  });
});
