// Money is never a float. Amounts and prices are exact decimals (decimal.js with a wide precision)
// and bigint minor units in the ledger. JSON from the outside is parsed losslessly.
import { Decimal as DecimalJs } from 'decimal.js';
import { isLosslessNumber, parse as parseLossless } from 'lossless-json';
import { assert } from './assert.js';
import { DecimalParseError } from './errors.js';
import { assertJsonDepth, assertJsonDepthAndSmallIntegers } from './json-depth.js';

/** Exact decimal type used for every amount and price. */
export const Decimal = DecimalJs.clone({
  precision: 80,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -80,
  toExpPos: 80,
  minE: -9e15,
  maxE: 9e15,
});
export type Decimal = InstanceType<typeof Decimal>;

/** Inputs larger than this many characters are refused: a decimal string is never that long. */
export const DECIMAL_TEXT_LENGTH_MAX = 100;
/** Exponents beyond this are refused: no real amount needs them, and they would cost memory. */
export const DECIMAL_EXPONENT_ABS_MAX = 40;

const DECIMAL_PATTERN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses a decimal from a string ("0E-10", "3.0000", "1e5"), a safe JSON number, or a lossless
 * number. Throws DecimalParseError with the value and the field name on anything else.
 */
export function parseDecimal(value: unknown, field = 'value'): Decimal {
  const text = decimalText(value, field);
  if (text.length > DECIMAL_TEXT_LENGTH_MAX)
    throw new DecimalParseError(`${field} is too long for a decimal (${text.length} characters)`);
  if (!DECIMAL_PATTERN.test(text))
    throw new DecimalParseError(`${field} is not a decimal number, was ${JSON.stringify(text).slice(0, 60)}`);
  const result = new Decimal(text);
  if (!result.isFinite()) throw new DecimalParseError(`${field} is not finite, was ${text}`);
  if (!result.isZero() && Math.abs(result.e) > DECIMAL_EXPONENT_ABS_MAX)
    throw new DecimalParseError(`${field} is out of range, was ${text}`);
  return result;
}

function decimalText(value: unknown, field: string): string {
  if (typeof value === 'string') return value.trim();
  if (isLosslessNumber(value)) return value.value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new DecimalParseError(`${field} is not finite, was ${value}`);
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof DecimalJs) return value.toString();
  throw new DecimalParseError(
    `${field} must be a decimal string, was ${value === null ? 'null' : typeof value}`,
  );
}

/** Plain notation, no exponent, trailing zeros trimmed: "0.00001", "25500000". */
export function formatDecimal(value: Decimal): string {
  const fixed = value.toFixed();
  return fixed === '-0' ? '0' : fixed;
}

/**
 * Converts to integer minor units with `scale` decimals. Throws if the value has more decimals
 * than the scale allows: a silent rounding in the ledger would be a lost fraction.
 */
export function toMinorUnits(value: Decimal, scale: number): bigint {
  assert(Number.isInteger(scale) && scale >= 0 && scale <= 30, `scale must be in [0, 30], was ${scale}`);
  const scaled = value.times(new Decimal(10).pow(scale));
  if (!scaled.isInteger())
    throw new DecimalParseError(`${formatDecimal(value)} has more than ${scale} decimals`);
  return BigInt(scaled.toFixed(0));
}

export function fromMinorUnits(minor: bigint, scale: number): Decimal {
  assert(Number.isInteger(scale) && scale >= 0 && scale <= 30, `scale must be in [0, 30], was ${scale}`);
  return new Decimal(minor.toString()).div(new Decimal(10).pow(scale));
}

/** Rounds down to a multiple of `step` (Nobitex rounds amounts down to the market's precision). */
export function floorToStep(value: Decimal, step: Decimal): Decimal {
  assert(step.gt(0), `step must be positive, was ${formatDecimal(step)}`);
  return value.div(step).floor().times(step);
}

/** Banker's rounding to a multiple of `step` (Nobitex rounds prices this way). */
export function roundHalfEvenToStep(value: Decimal, step: Decimal): Decimal {
  assert(step.gt(0), `step must be positive, was ${formatDecimal(step)}`);
  return value.div(step).toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).times(step);
}

/**
 * Parses JSON without ever turning a number into a float: safe integers become numbers,
 * every other number keeps its text as a LosslessNumber (read it with parseDecimal). Text nested
 * deeper than JSON_DEPTH_MAX throws JsonTooDeepError before the (recursive) parser runs.
 */
export function parseJsonLossless(text: string): unknown {
  assertJsonDepth(text);
  return parseLossless(text, null, (digits: string) => {
    const asNumber = Number(digits);
    return Number.isSafeInteger(asNumber) && /^-?\d+$/.test(digits) ? asNumber : parseLosslessNumber(digits);
  });
}

/**
 * parseJsonLossless for text Keel trusts to hold no duplicate keys (exchange answers, its own bus
 * payloads): when every number is a small integer, the native JSON.parse gives the same values at a
 * fraction of the cost (a duplicate key then keeps its last value instead of throwing).
 */
export function parseJsonLosslessFast(text: string): unknown {
  if (assertJsonDepthAndSmallIntegers(text)) {
    try {
      return JSON.parse(text);
    } catch {
      // Malformed: lossless-json's error below names the position, as callers expect.
    }
  }
  return parseJsonLossless(text);
}

function parseLosslessNumber(digits: string): unknown {
  // lossless-json exports the class; construct via its parser to keep one code path.
  return parseLossless(digits);
}
