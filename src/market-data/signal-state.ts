// Life of a stored signal as one literal table: the engine moves it, the store enforces the edges.
import { IllegalSignalTransitionError } from './errors.js';

export type SignalState = 'received' | 'processing' | 'executed' | 'rejected' | 'failed' | 'quarantined';

/** Edges a stored signal may take, `from>to`. */
const TRANSITIONS: ReadonlySet<string> = new Set([
  'received>processing',
  'received>rejected', // refused by risk checks before any order was prepared
  'received>quarantined',
  'processing>executed',
  'processing>rejected',
  'processing>failed',
  'processing>received', // handed back: the worker lost its lease or is shutting down
  'processing>quarantined',
  'failed>processing', // a retry
  'failed>quarantined',
  'quarantined>received', // an operator released it after fixing the cause
]);
/** No work is left on these: attempts are no longer counted. */
export const TERMINAL_SIGNAL_STATES: readonly SignalState[] = ['executed', 'rejected'];

/** Throws IllegalSignalTransitionError naming the edge when the table does not have it. */
export function assertSignalTransition(id: string, from: SignalState, to: SignalState): void {
  if (!TRANSITIONS.has(`${from}>${to}`))
    throw new IllegalSignalTransitionError(`signal ${id}: ${from} -> ${to}`);
}

export const isSignalTransitionAllowed = (from: SignalState, to: SignalState): boolean =>
  TRANSITIONS.has(`${from}>${to}`);
