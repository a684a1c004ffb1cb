// A one-pass reader for the common alert: one flat JSON object of plain strings, numbers, booleans
// and null. It gives exactly what parseJsonLossless then Object.entries give (numbers keep their
// text unless they are safe integers), or undefined for anything else: escapes, nesting, a repeated
// or numeric key, malformed text. The caller then takes the full parser, which owns every error.
import { LosslessNumber } from 'lossless-json';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const CONTROL_END = 0x20;
const NUMBER_PATTERN = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const INTEGER_PATTERN = /^-?\d+$/;
const LITERALS: readonly (readonly [string, boolean | null])[] = [
  ['true', true],
  ['false', false],
  ['null', null],
];

/** Entries of a flat JSON object in text order, or undefined when the text needs the full parser. */
export function scanFlatJsonObject(text: string): [string, unknown][] | undefined {
  if (text.charCodeAt(0) !== OPEN_BRACE) return undefined;
  const entries: [string, unknown][] = [];
  const keys = new Set<string>();
  let index = skipSpace(text, 1);
  if (text.charCodeAt(index) === CLOSE_BRACE) return index === text.length - 1 ? entries : undefined;
  for (;;) {
    const keyEnd = stringEnd(text, index);
    if (keyEnd < 0) return undefined;
    const key = text.slice(index + 1, keyEnd);
    // Object.entries moves integer keys first, and `__proto__` is special: leave both to the parser.
    if (keys.has(key) || key === '__proto__' || isDigit(key.charCodeAt(0))) return undefined;
    keys.add(key);
    index = skipSpace(text, keyEnd + 1);
    if (text.charCodeAt(index) !== COLON) return undefined;
    index = skipSpace(text, index + 1);
    const value = scanValue(text, index);
    if (value === undefined) return undefined;
    entries.push([key, value.value]);
    index = skipSpace(text, value.end);
    const next = text.charCodeAt(index);
    if (next === CLOSE_BRACE) return index === text.length - 1 ? entries : undefined;
    if (next !== COMMA) return undefined;
    index = skipSpace(text, index + 1);
  }
}

/** A string, number, boolean or null at `start`, and where it ends. */
function scanValue(text: string, start: number): { value: unknown; end: number } | undefined {
  const first = text.charCodeAt(start);
  if (first === QUOTE) {
    const end = stringEnd(text, start);
    return end < 0 ? undefined : { value: text.slice(start + 1, end), end: end + 1 };
  }
  if (first === 0x2d || isDigit(first)) {
    NUMBER_PATTERN.lastIndex = start;
    const digits = NUMBER_PATTERN.exec(text)?.[0];
    if (digits === undefined) return undefined;
    const asNumber = Number(digits);
    // As parseJsonLossless: a safe integer is a number, every other number keeps its exact text.
    const value =
      Number.isSafeInteger(asNumber) && INTEGER_PATTERN.test(digits) ? asNumber : new LosslessNumber(digits);
    return { value, end: start + digits.length };
  }
  for (const [word, value] of LITERALS)
    if (text.startsWith(word, start)) return { value, end: start + word.length };
  return undefined;
}

/** Index of the closing quote of a string opening at `start`; -1 for an escape or a control character. */
function stringEnd(text: string, start: number): number {
  if (text.charCodeAt(start) !== QUOTE) return -1;
  for (let index = start + 1; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) return index;
    if (code === BACKSLASH || code < CONTROL_END) return -1;
  }
  return -1;
}

/** Past JSON whitespace: space, tab, line feed, carriage return. */
function skipSpace(text: string, start: number): number {
  let index = start;
  for (;;) {
    const code = text.charCodeAt(index);
    if (code !== 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return index;
    index++;
  }
}

const isDigit = (code: number): boolean => code >= 0x30 && code <= 0x39;
