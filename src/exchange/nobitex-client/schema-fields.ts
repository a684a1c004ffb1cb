// zod field parsers for Nobitex's quirks: decimals as strings, "0E-10" or JSON numbers, display
// names instead of codes, ISO times with microseconds. A failure becomes an issue at the field's path.
import { z } from 'zod';
import { type Decimal, parseDecimal } from '../../core/decimal.js';
import { memoBounded } from '../../core/memo.js';
import { DISPLAY_NAME_TO_CODE } from '../currency-names.js';
import { isCurrency, type Market, parseMarket } from '../markets.js';

const failWith = (ctx: z.RefinementCtx, error: unknown): never => {
  ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
  return z.NEVER;
};

/** A decimal from a string, a safe JSON number or a lossless number; never a float. */
export const decimalField = z.unknown().transform((value, ctx): Decimal => {
  try {
    return parseDecimal(value);
  } catch (error) {
    return failWith(ctx, error);
  }
});

export const optionalDecimalField = z
  .unknown()
  .optional()
  .transform((value, ctx): Decimal | null => {
    if (value === undefined || value === null) return null;
    try {
      return parseDecimal(value);
    } catch (error) {
      return failWith(ctx, error);
    }
  });

/** `'market'` or a decimal (order `price`). */
export const priceField = z.unknown().transform((value, ctx): Decimal | 'market' => {
  if (value === 'market') return 'market';
  try {
    return parseDecimal(value);
  } catch (error) {
    return failWith(ctx, error);
  }
});

export const safeIntegerField = z.number().int().min(0);

/** Epoch ms as a JSON integer or a digit string (`/v2/depth` sends a string). */
export const epochMsField = z.union([
  safeIntegerField,
  z
    .string()
    .regex(/^\d{1,16}$/)
    .transform(Number),
]);

/** `2018-11-28T11:36:13.592827+00:00` → epoch ms (microseconds dropped). */
export const isoTimeField = z.string().transform((text, ctx): number => {
  const ms = Date.parse(text);
  if (!/^\d{4}-\d\d-\d\dT/.test(text) || !Number.isFinite(ms))
    return failWith(ctx, `not an ISO-8601 time, was ${JSON.stringify(text.slice(0, 40))}`);
  return ms;
});

export const marketField = z.string().transform((text, ctx): Market => {
  try {
    return parseMarket(text);
  } catch (error) {
    return failWith(ctx, error);
  }
});

/**
 * `Bitcoin`, `﷼`, `ریال`, `Tether` or a code → lowercase code; unknown names throw. Remembered by the
 * name as Nobitex spells it (bounded): every order answer holds two.
 */
export const currencyCodeFromDisplay: (name: string) => string = memoBounded((name: string) => {
  const key = name.trim().toLowerCase();
  const code = DISPLAY_NAME_TO_CODE.get(key) ?? (isCurrency(key) ? key : undefined);
  if (code === undefined) throw new Error(`unknown currency name ${JSON.stringify(name.slice(0, 30))}`);
  return code;
}, 1_024);

/**
 * A display name or code → code, or undefined for a name Keel does not know (Nobitex lists more coins
 * than any table): the order's `market` field names the market, these only stand in when it is absent.
 */
export const currencyField = z.string().transform((text): string | undefined => {
  try {
    return currencyCodeFromDisplay(text);
  } catch {
    return undefined;
  }
});

/** A lowercase currency code from a wallet (`rls`, `BTC`). */
export const currencyCodeField = z
  .string()
  .regex(/^[0-9A-Za-z_]{1,20}$/)
  .transform((text) => text.toLowerCase());
