// Goal: the order state machine accepts exactly the edges of its table. Method: every pair of states.
import { describe, expect, it } from 'vitest';
import {
  assertTransition,
  canTransition,
  isIllegalTransitionError,
  ORDER_STATES,
  TERMINAL_STATES,
} from './order-state.js';

const LEGAL = new Set([
  'PREPARED>SUBMITTING',
  'PREPARED>REJECTED',
  'PREPARED>EXPIRED',
  'PREPARED>ACCEPTED',
  'SUBMITTING>ACCEPTED',
  'SUBMITTING>REJECTED',
  'SUBMITTING>PREPARED',
  'SUBMITTING>UNKNOWN',
  'UNKNOWN>ACCEPTED',
  'UNKNOWN>PARTIALLY_FILLED',
  'UNKNOWN>FILLED',
  'UNKNOWN>CANCELLED',
  'UNKNOWN>SUBMITTING',
  'UNKNOWN>EXPIRED',
  'UNKNOWN>PREPARED',
  'ACCEPTED>PARTIALLY_FILLED',
  'ACCEPTED>FILLED',
  'ACCEPTED>CANCELLED',
  'ACCEPTED>EXPIRED',
  'PARTIALLY_FILLED>PARTIALLY_FILLED',
  'PARTIALLY_FILLED>FILLED',
  'PARTIALLY_FILLED>CANCELLED',
  'PARTIALLY_FILLED>EXPIRED',
  'CANCELLED>FILLED',
]);

const pairs = ORDER_STATES.flatMap((from) => ORDER_STATES.map((to) => [from, to] as const));

describe('order state table', () => {
  it.each(pairs)('%s -> %s is legal exactly when listed', (from, to) => {
    const legal = LEGAL.has(`${from}>${to}`);
    expect(canTransition(from, to)).toBe(legal);
    if (legal) expect(() => assertTransition(from, to)).not.toThrow();
    else {
      try {
        assertTransition(from, to);
        expect.unreachable('illegal edge accepted');
      } catch (error) {
        expect(isIllegalTransitionError(error)).toBe(true);
        expect((error as Error).message).toBe(`${from} -> ${to}`);
      }
    }
  });

  it('never resends from a terminal state', () => {
    for (const state of TERMINAL_STATES) expect(canTransition(state, 'SUBMITTING')).toBe(false);
  });
});
