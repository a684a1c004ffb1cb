// The one internal shape every TradingView alert is normalized to. Decimals are canonical strings
// (plain notation, no exponent, no trailing zeros) so the payload is exact and hashes stably.
import { z } from 'zod';
import { isCurrency, QUOTE_CURRENCIES } from '../exchange/markets.js';

/** Canonical decimal text as produced by formatDecimal: never a float, never an exponent. */
const decimalText = z.string().regex(/^-?(0|[1-9]\d*)(\.\d*[1-9])?$/, 'not a canonical decimal');
const positiveDecimalText = decimalText.refine(
  (text) => !text.startsWith('-') && text !== '0',
  'must be > 0',
);

export const SIGNAL_SIDES = ['buy', 'sell'] as const;
/** Not a trade of its own: `close` flattens the strategy's position on the symbol, `cancel` cancels its open orders. */
export const SIGNAL_ACTIONS = ['close', 'cancel'] as const;
export type SignalAction = (typeof SIGNAL_ACTIONS)[number];
export type SignalSide = (typeof SIGNAL_SIDES)[number];

/** How much to trade: exactly one of these. A target position may be zero or negative (short/flat). */
export const signalSizeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('base'), amount: positiveDecimalText }).strict(),
  z.object({ kind: z.literal('quote'), value: positiveDecimalText }).strict(),
  z.object({ kind: z.literal('percent'), percent: positiveDecimalText }).strict(),
  z.object({ kind: z.literal('target'), position: decimalText }).strict(),
]);
export type SignalSize = z.infer<typeof signalSizeSchema>;
export type SignalSizeKind = SignalSize['kind'];

/**
 * How long a resting order may stay open before it is cancelled (the alert's `expiresIn`), ms; `gtc`:
 * until it fills or is cancelled. Absent: the configured lifetime.
 */
const expiresInSchema = z.union([z.number().int().positive(), z.literal('gtc')]).optional();

export const signalOrderSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('market'), referencePrice: positiveDecimalText.optional() }).strict(),
  z.object({ type: z.literal('limit'), price: positiveDecimalText, expiresInMs: expiresInSchema }).strict(),
  /** Rests `Inactive` on the exchange until the market reaches stopPrice, then trades at market. */
  z
    .object({ type: z.literal('stop_market'), stopPrice: positiveDecimalText, expiresInMs: expiresInSchema })
    .strict(),
  /** Rests until the market reaches stopPrice, then becomes a limit order at price. */
  z
    .object({
      type: z.literal('stop_limit'),
      price: positiveDecimalText,
      stopPrice: positiveDecimalText,
      expiresInMs: expiresInSchema,
    })
    .strict(),
]);
export type SignalOrder = z.infer<typeof signalOrderSchema>;

/** A protective exit level: an absolute price, or a percentage away from the entry's average fill price. */
export const protectLevelSchema = z.union([
  z.object({ price: positiveDecimalText }).strict(),
  z.object({ percent: positiveDecimalText }).strict(),
]);
export type ProtectLevelSignal = z.infer<typeof protectLevelSchema>;

/**
 * The strategy bucket of what Keel did not place (the account's opening balance, deposits, orders placed
 * by hand): no signal may name it, or its fills would be booked as outside ones and a close for it
 * would flatten whatever that bucket holds.
 */
export const EXTERNAL_STRATEGY = 'external';

/** Why a strategy name is refused, or undefined when a signal may carry it (or names none). */
export function reservedStrategyProblem(strategy: string | undefined): string | undefined {
  return strategy === EXTERNAL_STRATEGY
    ? `strategy "${EXTERNAL_STRATEGY}" is reserved for the funds and trades Keel did not place: give the strategy another name`
    : undefined;
}

export const signalSchema = z
  .object({
    /** Exchange symbol, `BTCIRT` / `BTCUSDT`. */
    symbol: z.string().regex(/^[A-Z0-9]+(IRT|USDT)$/),
    base: z.string().refine(isCurrency, 'a lowercase currency code'),
    quote: z.enum(QUOTE_CURRENCIES),
    /** Absent only for a target-position signal: the engine derives it from the current position. */
    side: z.enum(SIGNAL_SIDES).optional(),
    size: signalSizeSchema,
    order: signalOrderSchema,
    /** Close or cancel instead of a trade; its size is then a target position of 0 and its order market. */
    action: z.enum(SIGNAL_ACTIONS).optional(),
    strategy: z.string().min(1).max(100).optional(),
    /** When the alert fired (`timenow`/`time`), or receivedAtMs when the alert carried no time. */
    alertAtMs: z.number().int().nonnegative(),
    alertTimeSource: z.enum(['alert', 'received']),
    receivedAtMs: z.number().int().nonnegative(),
    /** The alert's own maximum age (`ageMaxMs`), instead of engine.signalAgeMaxMs, ms. */
    ageMaxMs: z.number().int().positive().optional(),
    /**
     * The sender's own idempotency id. Note: `{{strategy.order.id}}` repeats across alerts and
     * must not be used alone as this id.
     */
    clientId: z.string().min(1).max(128).optional(),
    /** Exit placed on the exchange once a buy entry fills: a stop below it (issue 14). */
    stopLoss: protectLevelSchema.optional(),
    /** Exit placed on the exchange once a buy entry fills: a limit sell above it. */
    takeProfit: protectLevelSchema.optional(),
    /** With both: the OCO's stop-leg sell price, or a percentage below the stop (default: a setting). */
    stopLimitPrice: protectLevelSchema.optional(),
  })
  .strict()
  .refine((signal) => signal.side !== undefined || signal.size.kind === 'target', {
    message: 'side is required unless the size is a target position',
    path: ['side'],
  });
export type Signal = z.infer<typeof signalSchema>;

/** Signals that passed signalSchema as they are (the object, not a copy: a changed copy is checked again). */
const checkedSignals = new WeakSet<Signal>();

/** signalSchema.parse, remembering the object: a signal handed on unchanged is not checked twice. */
export function checkSignal(signal: Signal): Signal {
  if (checkedSignals.has(signal)) return signal;
  signalSchema.parse(signal);
  checkedSignals.add(signal);
  return signal;
}

/**
 * Marks a signal normalizeSignal built from fields it had checked one by one, so that checkSignal
 * passes it without a second schema parse (~9 µs a request). The normalizer's tests hold its every
 * output to signalSchema; a signal from anywhere else is still parsed by checkSignal.
 */
export function vouchForSignal(signal: Signal): Signal {
  checkedSignals.add(signal);
  return signal;
}

/** One problem with one field of an alert, for the 400 answer. */
export interface SignalProblem {
  readonly field: string;
  readonly message: string;
}

export type SignalResult =
  | { readonly ok: true; readonly signal: Signal }
  | { readonly ok: false; readonly problems: readonly SignalProblem[] };
