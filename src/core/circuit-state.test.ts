// Goal: the transition table is exhaustive and exact; state JSON is validated on the way in.
// Method: it.each over every (from, to) pair of the four states.
import { describe, expect, it } from 'vitest';
import {
  assertTransition,
  CIRCUIT_STATE_KINDS,
  CIRCUIT_TRANSITIONS,
  isLegalTransition,
  parseCircuitStateJson,
  toCircuitStateJson,
} from './circuit-state.js';

const pairs = CIRCUIT_STATE_KINDS.flatMap((from) => CIRCUIT_STATE_KINDS.map((to) => [from, to] as const));
const legal = pairs.filter(([from, to]) => CIRCUIT_TRANSITIONS.has(`${from}>${to}`));
const illegal = pairs.filter(([from, to]) => !CIRCUIT_TRANSITIONS.has(`${from}>${to}`));

describe('circuit transition table', () => {
  it('has ten edges and six forbidden pairs, including every self-edge', () => {
    expect(legal).toHaveLength(10);
    expect(illegal).toHaveLength(6);
    for (const kind of CIRCUIT_STATE_KINDS) expect(isLegalTransition(kind, kind)).toBe(false);
  });

  it.each(legal)('allows %s -> %s', (from, to) => {
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  it.each(illegal)('throws on %s -> %s', (from, to) => {
    expect(() => assertTransition(from, to)).toThrow(`illegal circuit transition ${from} -> ${to}`);
  });

  it('never lets a closed circuit skip straight to halfOpen', () => {
    expect(isLegalTransition('closed', 'halfOpen')).toBe(false);
    expect(isLegalTransition('isolated', 'halfOpen')).toBe(false);
  });
});

describe('circuit state JSON', () => {
  it('drops probe counts from halfOpen', () => {
    expect(
      toCircuitStateJson({ kind: 'halfOpen', probesStarted: 2, probesSucceeded: 1, reopenCount: 3 }),
    ).toEqual({
      kind: 'halfOpen',
      reopenCount: 3,
    });
  });

  it('parses every valid kind', () => {
    const open = { kind: 'open', openedAtMs: 5, retryAtMs: 9, reopenCount: 1 };
    expect(parseCircuitStateJson(open)).toEqual(open);
    expect(parseCircuitStateJson({ kind: 'closed', extra: 1 })).toEqual({ kind: 'closed' });
  });

  it.each([
    [null, 'circuit state must be an object'],
    [{ kind: 'ajar' }, 'was ajar'],
    [
      { kind: 'open', openedAtMs: 10, retryAtMs: 5, reopenCount: 0 },
      'retryAtMs must be >= openedAtMs, was 5',
    ],
    [
      { kind: 'open', openedAtMs: 1, retryAtMs: 2, reopenCount: -1 },
      'reopenCount must be an integer >= 0, was -1',
    ],
    [{ kind: 'halfOpen' }, 'reopenCount must be an integer >= 0, was undefined'],
  ])('rejects %o', (value, message) => {
    expect(() => parseCircuitStateJson(value)).toThrow(message);
  });
});
