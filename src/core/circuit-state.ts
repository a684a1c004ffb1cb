// The circuit breaker's states and its one literal transition table. State-specific data lives in
// its union member: openedAtMs only while open, probe counts only while halfOpen.
import { assert } from './assert.js';

export type CircuitStateKind = 'closed' | 'open' | 'halfOpen' | 'isolated';
export const CIRCUIT_STATE_KINDS: readonly CircuitStateKind[] = ['closed', 'open', 'halfOpen', 'isolated'];

export type CircuitState =
  | { readonly kind: 'closed' }
  | {
      readonly kind: 'open';
      readonly openedAtMs: number;
      readonly retryAtMs: number;
      /** Re-opens since the circuit was last closed; picks the break backoff step. */
      readonly reopenCount: number;
    }
  | {
      readonly kind: 'halfOpen';
      readonly probesStarted: number;
      readonly probesSucceeded: number;
      readonly reopenCount: number;
    }
  | { readonly kind: 'isolated' };

export type CircuitStateOf<K extends CircuitStateKind> = Extract<CircuitState, { kind: K }>;

/** Exported form. Probes in flight belong to one process, so halfOpen keeps only reopenCount. */
export type CircuitStateJson =
  | { readonly kind: 'closed' }
  | CircuitStateOf<'open'>
  | { readonly kind: 'halfOpen'; readonly reopenCount: number }
  | { readonly kind: 'isolated' };

type Edge = `${CircuitStateKind}>${CircuitStateKind}`;

/** Every legal edge, with why it happens. A same-state "transition" is never an edge. */
export const CIRCUIT_TRANSITIONS: ReadonlyMap<Edge, string> = new Map<Edge, string>([
  ['closed>open', 'the breaker strategy says open'],
  ['closed>isolated', 'isolate() by hand, or restore of an isolated state'],
  ['open>halfOpen', 'the break elapsed: let probes through'],
  ['open>closed', 'reset() by hand, or restore of a closed state'],
  ['open>isolated', 'isolate() by hand, or restore'],
  ['halfOpen>closed', 'every probe succeeded, reset(), or restore'],
  ['halfOpen>open', 'a probe failed, or restore'],
  ['halfOpen>isolated', 'isolate() by hand, or restore'],
  ['isolated>closed', 'the last isolation was released, reset(), or restore'],
  ['isolated>open', 'restore: the shared store is authoritative over a local isolation'],
]);

export function isLegalTransition(from: CircuitStateKind, to: CircuitStateKind): boolean {
  return CIRCUIT_TRANSITIONS.has(`${from}>${to}`);
}

/** Throws AssertionError "illegal circuit transition closed -> halfOpen" for an edge not in the table. */
export function assertTransition(from: CircuitStateKind, to: CircuitStateKind): void {
  assert(isLegalTransition(from, to), `illegal circuit transition ${from} -> ${to}`);
}

export function toCircuitStateJson(state: CircuitState): CircuitStateJson {
  if (state.kind === 'halfOpen') return { kind: 'halfOpen', reopenCount: state.reopenCount };
  return { ...state };
}

/** Validates a state read from outside (a file, Redis); throws TypeError naming the bad field. */
export function parseCircuitStateJson(value: unknown): CircuitStateJson {
  if (typeof value !== 'object' || value === null)
    throw new TypeError(`circuit state must be an object, was ${value}`);
  const fields = value as Record<string, unknown>;
  switch (fields.kind) {
    case 'closed':
    case 'isolated':
      return { kind: fields.kind };
    case 'halfOpen':
      return { kind: 'halfOpen', reopenCount: countField(fields, 'reopenCount') };
    case 'open': {
      const openedAtMs = countField(fields, 'openedAtMs');
      const retryAtMs = countField(fields, 'retryAtMs');
      if (retryAtMs < openedAtMs) throw new TypeError(`retryAtMs must be >= openedAtMs, was ${retryAtMs}`);
      return { kind: 'open', openedAtMs, retryAtMs, reopenCount: countField(fields, 'reopenCount') };
    }
    default:
      throw new TypeError(
        `circuit state kind must be one of ${CIRCUIT_STATE_KINDS.join(', ')}, was ${fields.kind}`,
      );
  }
}

function countField(fields: Record<string, unknown>, name: string): number {
  const value = fields[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new TypeError(`circuit state field ${name} must be an integer >= 0, was ${String(value)}`);
  return value;
}
