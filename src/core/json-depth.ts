// Nesting depth of JSON text, found in one pass without recursion, so that a body nested thousands of
// levels deep is refused before a recursive parser can overflow the stack.
import { JsonTooDeepError } from './errors.js';

/** Deepest nesting Keel parses: alerts, API bodies and exchange answers need a handful of levels. */
export const JSON_DEPTH_MAX = 32;

/** Throws JsonTooDeepError when arrays and objects nest deeper than `depthMax` outside strings. */
export function assertJsonDepth(text: string, depthMax = JSON_DEPTH_MAX): void {
  assertJsonDepthAndSmallIntegers(text, depthMax);
}

/**
 * assertJsonDepth, in the same pass telling whether every number outside strings is an integer of at
 * most SMALL_INTEGER_DIGITS_MAX digits (no fraction, no exponent): then JSON.parse reads every number
 * exactly, since each is a safe integer.
 */
export function assertJsonDepthAndSmallIntegers(text: string, depthMax = JSON_DEPTH_MAX): boolean {
  let depth = 0;
  let inString = false;
  let smallIntegers = true;
  let digitRun = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === BACKSLASH) index++;
      else if (code === QUOTE) inString = false;
    } else if (code >= DIGIT_0 && code <= DIGIT_9) {
      if (++digitRun > SMALL_INTEGER_DIGITS_MAX) smallIntegers = false;
      continue;
    } else if (code === QUOTE) inString = true;
    else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (++depth > depthMax) throw new JsonTooDeepError(`JSON nested deeper than ${depthMax} levels`);
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) depth--;
    // Outside strings a dot is only a fraction, and an e after a digit only an exponent.
    else if (code === DOT || ((code === LOWER_E || code === UPPER_E) && digitRun > 0)) smallIntegers = false;
    digitRun = 0;
  }
  return smallIntegers;
}

/** Integers this long are always below 2^53, so exact as JavaScript numbers. */
const SMALL_INTEGER_DIGITS_MAX = 15;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const DOT = 0x2e;
const LOWER_E = 0x65;
const UPPER_E = 0x45;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
