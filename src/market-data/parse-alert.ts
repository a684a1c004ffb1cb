// Body text → raw alert fields. TradingView sends the alert message exactly as typed: JSON
// (application/json), JSON the user typed with a typo or wrong header (text/plain), or a plain
// command such as `buy BTCIRT 0.01 type=limit price=123450000`. No interpretation happens here.
import { isLosslessNumber, stringify } from 'lossless-json';
import { parseJsonLossless } from '../core/decimal.js';
import { isJsonTooDeepError } from '../core/errors.js';
import { scanFlatJsonObject } from './scan-flat-json.js';
import type { SignalProblem } from './signal.js';

export type AlertFormat = 'json' | 'text-json' | 'command';

export interface ParsedAlert {
  readonly format: AlertFormat;
  /** Values by canonical key (lower case, without `_`, `-`, `.`): `position_size` → `positionsize`. */
  readonly fields: ReadonlyMap<string, unknown>;
  /** The body without any passphrase field, safe to store. */
  readonly redacted: string;
}

export type ParseAlertResult =
  | { readonly ok: true; readonly alert: ParsedAlert }
  | { readonly ok: false; readonly problem: SignalProblem };

/** An alert has a handful of fields; more is abuse, refused before any work is done. */
export const ALERT_FIELD_COUNT_MAX = 64;
export const ALERT_KEY_LENGTH_MAX = 64;
/** Canonical key of the shared secret, removed from every stored or logged copy. */
export const PASSPHRASE_KEY = 'passphrase';

/** Canonical form of a field name: case, `_`, `-`, `.` and spaces do not matter. */
export const canonicalKey = (key: string): string => key.toLowerCase().replace(/[_.\-\s]/g, '');

/** Parses a body; `mediaType` is the request's media type without parameters, if any. */
export function parseAlert(body: string, mediaType: string | undefined): ParseAlertResult {
  const text = body.replace(/^\uFEFF/, '').trim();
  if (text.length === 0)
    return failure('body', 'empty body: expected JSON or a command such as "buy BTCIRT 0.01"');
  const declaredJson = mediaType !== undefined && /^application\/([a-z0-9.+-]*\+)?json$/i.test(mediaType);
  if (declaredJson) return parseJsonAlert(text, 'json');
  if (text.startsWith('{') || text.startsWith('[')) return parseJsonAlert(text, 'text-json');
  return parseCommandAlert(text);
}

function parseJsonAlert(text: string, format: AlertFormat): ParseAlertResult {
  // The usual flat alert in one pass; anything else (and every error) through the full parser.
  const scanned = scanFlatJsonObject(text);
  const entries = scanned ?? parseJsonEntries(text);
  if (!Array.isArray(entries)) return entries;
  const fields = collectFields(entries);
  if (!(fields instanceof Map)) return fields;
  const kept = entries.filter(([key]) => canonicalKey(key) !== PASSPHRASE_KEY);
  const redacted =
    scanned === undefined ? (stringify(Object.fromEntries(kept)) ?? '{}') : stringifyFlat(kept);
  return { ok: true, alert: { format, fields, redacted } };
}

function parseJsonEntries(text: string): [string, unknown][] | ParseAlertResult {
  let value: unknown;
  try {
    value = parseJsonLossless(text);
  } catch (error) {
    if (isJsonTooDeepError(error)) return failure('body', error.message);
    // Our own message: the parser's may quote the body, and the body may hold the passphrase.
    const position = /position (\d+)/.exec(String((error as Error).message))?.[1];
    return failure('body', `malformed JSON${position === undefined ? '' : ` near position ${position}`}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return failure('body', 'alert JSON must be an object such as {"action":"buy",...}');
  return Object.entries(value);
}

/** What lossless-json's stringify gives for an object of plain values, without its generality. */
function stringifyFlat(entries: readonly (readonly [string, unknown])[]): string {
  let text = '';
  for (const [key, value] of entries)
    text += `${text === '' ? '' : ','}${JSON.stringify(key)}:${isLosslessNumber(value) ? value.toString() : JSON.stringify(value)}`;
  return `{${text}}`;
}

// `key=value` or `key="a value"` pairs, or bare words (side, symbol, size in that order).
const TOKEN_PATTERN = /([^\s=]+)=("[^"]*"|\S*)|(\S+)/g;
const POSITIONAL_KEYS = ['side', 'symbol', 'amount'] as const;

function parseCommandAlert(text: string): ParseAlertResult {
  const entries: [string, unknown][] = [];
  const keptTokens: string[] = [];
  let positionalIndex = 0;
  for (const match of text.matchAll(TOKEN_PATTERN)) {
    if (entries.length >= ALERT_FIELD_COUNT_MAX)
      return failure('body', `more than ${ALERT_FIELD_COUNT_MAX} fields`);
    const [token, key, quoted, bare] = match;
    if (bare !== undefined) {
      if (entries.length > positionalIndex)
        return failure('body', 'words must come before key=value pairs: "buy BTCIRT 0.01 type=limit ..."');
      const positionalKey = POSITIONAL_KEYS[positionalIndex++];
      if (positionalKey === undefined)
        return failure('body', 'too many words: expected "<side> <symbol> [size]"');
      entries.push(positionalEntry(positionalKey, bare));
    } else if (key !== undefined && quoted !== undefined) {
      entries.push([key, quoted.startsWith('"') ? quoted.slice(1, -1) : quoted]);
    }
    if (!(key !== undefined && canonicalKey(key) === PASSPHRASE_KEY)) keptTokens.push(token);
  }
  const fields = collectFields(entries);
  if (!(fields instanceof Map)) return fields;
  return { ok: true, alert: { format: 'command', fields, redacted: keptTokens.join(' ') } };
}

/** A trailing `%` on the size word means percent of balance: `buy BTCIRT 25%`. */
function positionalEntry(key: (typeof POSITIONAL_KEYS)[number], word: string): [string, unknown] {
  if (key === 'amount' && word.endsWith('%')) return ['percent', word.slice(0, -1)];
  return [key, word];
}

function collectFields(
  entries: readonly (readonly [string, unknown])[],
): Map<string, unknown> | ParseAlertResult {
  if (entries.length > ALERT_FIELD_COUNT_MAX)
    return failure('body', `more than ${ALERT_FIELD_COUNT_MAX} fields`);
  const fields = new Map<string, unknown>();
  for (const [key, value] of entries) {
    if (key.length > ALERT_KEY_LENGTH_MAX)
      return failure('body', `a field name is longer than ${ALERT_KEY_LENGTH_MAX} characters`);
    const canonical = canonicalKey(key);
    if (fields.has(canonical))
      return failure(canonical || 'body', `field ${JSON.stringify(canonical)} is given more than once`);
    fields.set(canonical, value);
  }
  return fields;
}

const failure = (field: string, message: string): ParseAlertResult => ({
  ok: false,
  problem: { field, message },
});
