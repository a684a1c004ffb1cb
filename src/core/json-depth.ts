// Nesting depth of JSON text, found in one pass without recursion, so that a body nested thousands of
// levels deep is refused before a recursive parser can overflow the stack.
import { JsonTooDeepError } from './errors.js';

/** Deepest nesting Keel parses: alerts, API bodies and exchange answers need a handful of levels. */
export const JSON_DEPTH_MAX = 32;

/** Throws JsonTooDeepError when arrays and objects nest deeper than `depthMax` outside strings. */
export function assertJsonDepth(text: string, depthMax = JSON_DEPTH_MAX): void {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === BACKSLASH) index++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) inString = true;
    else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (++depth > depthMax) throw new JsonTooDeepError(`JSON nested deeper than ${depthMax} levels`);
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) depth--;
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
