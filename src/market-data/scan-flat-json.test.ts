// Goal: the one-pass scanner never disagrees with the full lossless parser: whenever it answers, its
// entries are exactly Object.entries(parseJsonLossless(text)); it answers for the usual alert.
// Method: examples, then fast-check on generated flat objects and on mutated text.
import fc from 'fast-check';
import { isLosslessNumber, stringify } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { parseJsonLossless } from '../core/decimal.js';
import { parseAlert } from './parse-alert.js';
import { scanFlatJsonObject } from './scan-flat-json.js';

/** The full parser's answer, or 'error'. */
function reference(text: string): unknown {
  try {
    const value = parseJsonLossless(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? Object.entries(value)
      : 'not an object';
  } catch {
    return 'error';
  }
}

const plain = (entries: [string, unknown][] | undefined) =>
  entries?.map(([key, value]) => [key, isLosslessNumber(value) ? `lossless:${value.value}` : value]);

function expectAgrees(text: string): void {
  const scanned = scanFlatJsonObject(text);
  if (scanned === undefined) return;
  expect(plain(scanned)).toEqual(plain(reference(text) as [string, unknown][]));
}

describe('scanFlatJsonObject', () => {
  it('reads a TradingView alert with exact numbers', () => {
    const text =
      '{"passphrase":"p","symbol":"BTCIRT","side":"buy","amount":0.10,"price":123450000,"big":12345678901234567890,"n":-0,"e":1e5,"ok":true,"x":null}';
    expect(plain(scanFlatJsonObject(text))).toEqual([
      ['passphrase', 'p'],
      ['symbol', 'BTCIRT'],
      ['side', 'buy'],
      ['amount', 'lossless:0.10'],
      ['price', 123450000],
      ['big', 'lossless:12345678901234567890'],
      ['n', -0],
      ['e', 'lossless:1e5'],
      ['ok', true],
      ['x', null],
    ]);
    expectAgrees(text);
  });

  it.each([
    '{"a":"x\\"y"}',
    '{"a":{"b":1}}',
    '{"a":[1]}',
    '{"a":1,"a":1}',
    '{"1":1,"b":2}',
    '{"__proto__":1}',
    '{"a":1,}',
    '{"a":01}',
    '{"a":1.}',
    '{"a":1} x',
    '{"a":tru}',
    '{"a":"\t"}',
    '{"a" 1}',
    '[1]',
  ])('leaves %s to the full parser', (text) => {
    expect(scanFlatJsonObject(text)).toBeUndefined();
  });

  it('agrees with the full parser on generated flat objects, and gives the same redacted copy', () => {
    const number = fc.oneof(
      fc.integer().map(String),
      fc.bigInt().map(String),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => JSON.stringify(value)),
      fc.constantFrom('0.1', '-0', '1e-7', '1E+30', '0.30', '-12.500'),
    );
    const value = fc.oneof(
      fc.string().map((text) => JSON.stringify(text)),
      number,
      fc.constantFrom('true', 'false', 'null'),
    );
    const space = fc.constantFrom('', ' ', '\n', '\t ', '\r\n');
    const body = fc
      .array(fc.tuple(fc.string(), value, space), { maxLength: 8 })
      .chain((pairs) =>
        space.map(
          (gap) =>
            `{${gap}${pairs.map(([key, text, s]) => `${JSON.stringify(key)}${s}:${s}${text}${s}`).join(',')}}`,
        ),
      );
    fc.assert(
      fc.property(body, (text) => {
        expectAgrees(text);
        const parsed = parseAlert(text, 'application/json');
        let expected: unknown;
        try {
          const value = parseJsonLossless(text) as Record<string, unknown>;
          expected = stringify(
            Object.fromEntries(
              Object.entries(value).filter(
                ([key]) => key.toLowerCase().replace(/[_.\-\s]/g, '') !== 'passphrase',
              ),
            ),
          );
        } catch {
          return;
        }
        if (parsed.ok) expect(parsed.alert.redacted).toBe(expected);
      }),
      { numRuns: 2_000 },
    );
  });

  it('agrees with the full parser on mutated alert text', () => {
    const alert = '{"symbol":"BTCIRT","side":"buy","amount":0.01,"price":123,"ok":true}';
    const mutated = fc
      .tuple(fc.nat(alert.length), fc.nat(3), fc.string({ maxLength: 3 }))
      .map(([at, cut, insert]) => alert.slice(0, at) + insert + alert.slice(at + cut));
    fc.assert(fc.property(mutated, expectAgrees), { numRuns: 3_000 });
  });
});
