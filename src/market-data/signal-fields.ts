// Field readers for normalize-signal: each turns one raw value into a canonical value or a problem.
// Raw values come from parse-alert: strings, safe integers, LosslessNumbers, or anything JSON holds.
import { isLosslessNumber } from 'lossless-json';
import { Decimal, formatDecimal, parseDecimal } from '../core/decimal.js';
import { isDecimalParseError } from '../core/errors.js';
import type { SignalProblem } from './signal.js';

export type FieldResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: string };

const ok = <T>(value: T): FieldResult<T> => ({ ok: true, value });
const bad = <T>(message: string): FieldResult<T> => ({ ok: false, message });

export interface DecimalRule {
  /** Zero and negative values allowed (a signed target position). */
  readonly signed: boolean;
  /** Largest accepted absolute value. */
  readonly max: Decimal;
  /** Most digits (integer plus fraction) accepted. */
  readonly digitsMax: number;
}

/** A decimal as canonical text; never a float on the way. */
export function readDecimal(raw: unknown, field: string, rule: DecimalRule): FieldResult<string> {
  const placeholder = placeholderMessage(raw);
  if (placeholder !== undefined) return bad(placeholder);
  let value: Decimal;
  try {
    value = parseDecimal(raw, field);
  } catch (error) {
    if (isDecimalParseError(error)) return bad(error.message);
    throw error;
  }
  const text = formatDecimal(value);
  // isZero/isNegative and the exponent test read the value without building Decimals to compare with.
  if (!rule.signed && (value.isZero() || value.isNegative()))
    return bad(`${field} must be greater than 0, was ${text}`);
  const digitCount = text.replace(/[-.]/g, '').replace(/^0+/, '').length;
  if (digitCount > rule.digitsMax) return bad(`${field} has more than ${rule.digitsMax} digits`);
  // A nonzero value whose leading digit sits below the limit's is below it (|x| < 10^(e+1) <= |max|).
  const mayExceed = !value.isZero() && (rule.max.isZero() || value.e >= rule.max.e);
  if (mayExceed && value.abs().gt(rule.max))
    return bad(`${field} is above the limit ${formatDecimal(rule.max)}, was ${text}`);
  return ok(text);
}

/** A short, printable, well-formed piece of text. */
export function readText(raw: unknown, field: string, lengthMax: number): FieldResult<string> {
  if (typeof raw === 'number' || isLosslessNumber(raw)) return readText(String(raw), field, lengthMax);
  if (typeof raw !== 'string') return bad(`${field} must be text, was ${describe(raw)}`);
  const placeholder = placeholderMessage(raw);
  if (placeholder !== undefined) return bad(placeholder);
  const text = raw.trim();
  if (text.length === 0) return bad(`${field} is empty`);
  if (text.length > lengthMax) return bad(`${field} is longer than ${lengthMax} characters`);
  if (/[\u0000-\u001f\u007f]/.test(text)) return bad(`${field} contains control characters`);
  if (LONE_SURROGATE.test(text)) return bad(`${field} is not well-formed Unicode`);
  return ok(text);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Longest duration an alert may give, ms (7 days, as the config allows). */
export const ALERT_DURATION_MS_MAX = 7 * 24 * 3_600_000;

/** A duration in whole milliseconds, 1 … ALERT_DURATION_MS_MAX. */
export function readWholeMs(raw: unknown, field: string): FieldResult<number> {
  const text = readDecimal(raw, field, {
    signed: false,
    max: new Decimal(ALERT_DURATION_MS_MAX),
    digitsMax: 12,
  });
  if (!text.ok) return text;
  if (!/^\d+$/.test(text.value)) return bad(`${field} must be whole milliseconds, was ${text.value}`);
  return ok(Number(text.value));
}

const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?Z$/;

/** TradingView's `{{timenow}}` / `{{time}}`: `yyyy-MM-ddTHH:mm:ssZ`, UTC, optional milliseconds. */
export function readIsoTime(raw: unknown, field: string): FieldResult<number> {
  const text = readText(raw, field, 40);
  if (!text.ok) return text;
  const parts = ISO_UTC.exec(text.value);
  if (parts === null) return bad(`${field} must be UTC time yyyy-MM-ddTHH:mm:ssZ, was ${quote(text.value)}`);
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map((part) => Number(part)) as number[];
  const milliseconds = Number((parts[7] ?? '').padEnd(3, '0'));
  const atMs = Date.UTC(year!, month! - 1, day, hour, minute, second, milliseconds);
  const check = new Date(atMs);
  if (
    check.getUTCMonth() !== month! - 1 ||
    check.getUTCDate() !== day ||
    hour! > 23 ||
    minute! > 59 ||
    second! > 59
  )
    return bad(`${field} is not a real date and time, was ${quote(text.value)}`);
  if (year! < 2000) return bad(`${field} is before the year 2000, was ${quote(text.value)}`);
  return ok(atMs);
}

/** One value of a closed set, case-insensitive, with synonyms: `long` → `buy`. */
export function readChoice<T extends string>(
  raw: unknown,
  field: string,
  choices: Readonly<Record<string, T>>,
): FieldResult<T> {
  const text = readText(raw, field, 40);
  if (!text.ok) return text;
  const choice = Object.hasOwn(choices, text.value.toLowerCase())
    ? choices[text.value.toLowerCase()]
    : undefined;
  if (choice === undefined)
    return bad(`${field} must be one of ${Object.keys(choices).join(', ')}, was ${quote(text.value)}`);
  return ok(choice);
}

/** The first present alias of a field; a problem when two aliases disagree. */
export function pickField(
  fields: ReadonlyMap<string, unknown>,
  aliases: readonly string[],
  problems: SignalProblem[],
): { readonly key: string; readonly raw: unknown } | undefined {
  // Plain loops: this runs for every field of every alert, and most aliases are absent.
  let first: string | undefined;
  let firstValue: unknown;
  const differing: string[] = [];
  for (const alias of aliases) {
    if (!fields.has(alias)) continue;
    const value = comparable(fields.get(alias));
    if (first === undefined) {
      first = alias;
      firstValue = value;
    } else if (value !== firstValue) differing.push(alias);
  }
  if (first === undefined) return undefined;
  if (differing.length > 0)
    problems.push({ field: aliases[0] ?? first, message: `${[first, ...differing].join(' and ')} disagree` });
  return { key: first, raw: fields.get(first) };
}

/** Text to compare aliases by; lists and objects never equal anything (they are wrong anyway). */
function comparable(raw: unknown): string | symbol {
  const simple =
    typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean' || raw === null;
  return simple || isLosslessNumber(raw) ? String(raw) : Symbol('structured');
}

function placeholderMessage(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || !/\{\{.*\}\}/.test(raw)) return undefined;
  return `placeholder ${quote(raw)} was not replaced by TradingView`;
}

const quote = (text: string): string => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);

function describe(raw: unknown): string {
  if (raw === null) return 'null';
  if (Array.isArray(raw)) return 'a list';
  return typeof raw === 'object' ? 'an object' : typeof raw;
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** A duration as seconds (`90`) or with a unit (`90s`, `30m`, `2h`, `1d`), in [minMs, maxMs]. */
export function readDurationMs(
  raw: unknown,
  field: string,
  bounds: { readonly minMs: number; readonly maxMs: number },
): FieldResult<number> {
  const placeholder = placeholderMessage(raw);
  if (placeholder !== undefined) return bad(placeholder);
  const text = typeof raw === 'number' || isLosslessNumber(raw) ? String(raw) : raw;
  const match = typeof text === 'string' ? /^\s*(\d{1,9})\s*([smhd]?)\s*$/i.exec(text) : null;
  if (match === null)
    return bad(`${field} must be seconds or a number with s, m, h or d (90s, 30m, 2h), was ${describe(raw)}`);
  const valueMs = Number(match[1]) * (DURATION_UNITS_MS[(match[2] || 's').toLowerCase()] ?? 1_000);
  if (valueMs < bounds.minMs || valueMs > bounds.maxMs)
    return bad(
      `${field} must be between ${bounds.minMs / 1_000} s and ${bounds.maxMs / 1_000} s, was ${match[0].trim()}`,
    );
  return ok(valueMs);
}
