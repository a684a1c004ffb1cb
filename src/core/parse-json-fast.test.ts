// Goal: the fast JSON path gives exactly what the lossless parser gives: native JSON.parse only when
// every number is a small integer, lossless numbers for fractions, exponents and long integers.
import { isLosslessNumber } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { parseJsonLossless, parseJsonLosslessFast } from './decimal.js';
import { isJsonTooDeepError } from './errors.js';
import { assertJsonDepthAndSmallIntegers } from './json-depth.js';

describe('assertJsonDepthAndSmallIntegers', () => {
  it.each([
    ['{"id":100001,"fee":0,"amount":"0.001"}', true],
    ['{"ok":true,"no":false,"x":null,"n":-42}', true],
    ['{"text":"1.5e10 and 12345678901234567 inside a string"}', true],
    ['{"fee":0.5}', false],
    ['{"n":1e5}', false],
    ['{"n":1E5}', false],
    ['{"n":123456789012345}', true],
    ['{"n":1234567890123456}', false],
    ['{"s":"a\\"1.5"}', true],
  ])('%s → %s', (text, expected) => {
    expect(assertJsonDepthAndSmallIntegers(text)).toBe(expected);
  });
});

describe('parseJsonLosslessFast', () => {
  it.each([
    '{"status":"ok","order":{"id":100001,"matchedAmount":0,"amount":"0.001","partial":false,"x":null}}',
    '{"fee":0.0025,"big":123456789012345678901,"exp":1e-7,"list":[1,2,"3"]}',
    '[-0,0,15,"é"]',
  ])('parses %s as the lossless parser does', (text) => {
    expect(parseJsonLosslessFast(text)).toEqual(parseJsonLossless(text));
  });

  it('keeps fractions exact as lossless numbers', () => {
    const value = parseJsonLosslessFast('{"fee":0.1000000000000000055}') as { fee: unknown };
    expect(isLosslessNumber(value.fee)).toBe(true);
    expect(String(value.fee)).toBe('0.1000000000000000055');
  });

  it('refuses malformed and too deep text like the lossless parser', () => {
    expect(() => parseJsonLosslessFast('{"a":1,}')).toThrow(/position/);
    let error: unknown;
    try {
      parseJsonLosslessFast(`${'['.repeat(40)}${']'.repeat(40)}`);
    } catch (caught) {
      error = caught;
    }
    expect(isJsonTooDeepError(error)).toBe(true);
  });
});
