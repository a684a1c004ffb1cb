// The order intent state machine. One literal table, one edge per line; anything else throws.
import { isKeelError, KeelError } from '../../core/errors.js';

export type OrderState =
  | 'PREPARED'
  | 'SUBMITTING'
  | 'ACCEPTED'
  | 'UNKNOWN'
  | 'PARTIALLY_FILLED'
  | 'FILLED'
  | 'CANCELLED'
  | 'REJECTED'
  | 'EXPIRED';

export const ORDER_STATES: readonly OrderState[] = [
  'PREPARED',
  'SUBMITTING',
  'ACCEPTED',
  'UNKNOWN',
  'PARTIALLY_FILLED',
  'FILLED',
  'CANCELLED',
  'REJECTED',
  'EXPIRED',
];

/** States the order never leaves on its own: no more polling, the signal is done. */
export const TERMINAL_STATES: ReadonlySet<OrderState> = new Set([
  'FILLED',
  'CANCELLED',
  'REJECTED',
  'EXPIRED',
]);

/** States in which the exchange may hold the order: the engine must resolve them before it trusts its books. */
export const LIVE_STATES: ReadonlySet<OrderState> = new Set([
  'SUBMITTING',
  'ACCEPTED',
  'UNKNOWN',
  'PARTIALLY_FILLED',
]);

const TRANSITIONS: ReadonlyArray<readonly [`${OrderState}>${OrderState}`, string]> = [
  ['PREPARED>SUBMITTING', 'about to send; committed before the request leaves'],
  ['PREPARED>REJECTED', 'a precondition failed; nothing was sent'],
  ['PREPARED>EXPIRED', 'never sent, and now too old to act on'],
  ['PREPARED>ACCEPTED', "an OCO's stop leg: its pair's request placed it, journaled with its exchange id"],
  ['SUBMITTING>ACCEPTED', 'the exchange answered with the order'],
  [
    'SUBMITTING>PREPARED',
    'provably not placed (breaker open, rate limit, refused connection, Nobitex duplicate guard): send again',
  ],
  ['SUBMITTING>REJECTED', 'the exchange refused it with a business code'],
  [
    'SUBMITTING>UNKNOWN',
    'ambiguous: timeout, 5xx or reset after sending, or a crash mid-send; ask, never resend',
  ],
  ['UNKNOWN>ACCEPTED', 'found on the exchange, still open'],
  ['UNKNOWN>PARTIALLY_FILLED', 'found on the exchange, partly filled'],
  ['UNKNOWN>FILLED', 'found on the exchange, filled'],
  ['UNKNOWN>CANCELLED', 'found on the exchange, cancelled (maybe with fills)'],
  ['UNKNOWN>SUBMITTING', 'proven absent after the grace period: resend with the same clientOrderId'],
  ['UNKNOWN>EXPIRED', 'proven absent and no resend allowed any more'],
  [
    'UNKNOWN>PREPARED',
    'a protective order proven absent while no request may leave (HALTED): send when allowed',
  ],
  ['ACCEPTED>PARTIALLY_FILLED', 'first fills'],
  ['ACCEPTED>FILLED', 'filled'],
  ['ACCEPTED>CANCELLED', 'cancelled by us or by the exchange (market order remainder, balance)'],
  ['ACCEPTED>EXPIRED', 'open past its lifetime and cancelled by us'],
  ['PARTIALLY_FILLED>PARTIALLY_FILLED', 'more fills'],
  ['PARTIALLY_FILLED>FILLED', 'the last fill'],
  ['PARTIALLY_FILLED>CANCELLED', 'remainder cancelled'],
  ['PARTIALLY_FILLED>EXPIRED', 'remainder cancelled at the end of its lifetime'],
  ['CANCELLED>FILLED', 'real-world race: a fill reported after the cancel acknowledgement'],
];

const EDGES: ReadonlyMap<string, string> = new Map(TRANSITIONS);

export class IllegalTransitionError extends KeelError {
  readonly code = 'KEEL_ERR_ILLEGAL_TRANSITION';
}
export const isIllegalTransitionError = (e: unknown): e is IllegalTransitionError =>
  isKeelError(e) && e.code === 'KEEL_ERR_ILLEGAL_TRANSITION';

export const canTransition = (from: OrderState, to: OrderState): boolean => EDGES.has(`${from}>${to}`);

/** Throws `IllegalTransitionError` reading `ACCEPTED -> PREPARED` for an edge not in the table. */
export function assertTransition(from: OrderState, to: OrderState): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(`${from} -> ${to}`);
}

export const isTerminal = (state: OrderState): boolean => TERMINAL_STATES.has(state);
