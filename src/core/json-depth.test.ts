// Goal: the depth check counts only structural brackets, never those inside strings or after escapes.
import { describe, expect, it } from 'vitest';
import { isJsonTooDeepError } from './errors.js';
import { assertJsonDepth } from './json-depth.js';

const depthOk = (text: string, depthMax: number) => {
  try {
    assertJsonDepth(text, depthMax);
    return true;
  } catch (error) {
    expect(isJsonTooDeepError(error)).toBe(true);
    return false;
  }
};

describe('assertJsonDepth', () => {
  it.each([
    ['[]', 1, true],
    ['[[]]', 1, false],
    ['{"a":{"b":1}}', 2, true],
    ['{"a":{"b":{}}}', 2, false],
    ['["[[[[", "{{{{"]', 1, true],
    ['["\\"[[[["]', 1, true],
    ['["\\\\", [[]]]', 2, false],
    ['[1],[2],[3]', 1, true],
    ['', 0, true],
  ])('%s with a limit of %d is %s', (text, depthMax, ok) => {
    expect(depthOk(text, depthMax)).toBe(ok);
  });

  it('names the limit in its message', () => {
    expect(() => assertJsonDepth('[[[', 2)).toThrow('JSON nested deeper than 2 levels');
  });
});
