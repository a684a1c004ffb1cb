// Goal: the webhook parser and normalizer survive the input classes the unit properties beside the
// code do not generate: huge and exponent numbers in real JSON text, missing and extra fields,
// wrong types, odd Unicode in numbers and names, prototype-polluting keys, every JSON value type in
// every field, and nesting from shallow to thousands of levels deep.
// Method: fast-check builds whole alert bodies as text; every body must give a schema-valid Signal
// with canonical decimals, or problems naming a field; nothing throws, no float, no pollution.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JSON_DEPTH_MAX } from '../../src/core/json-depth.js';
import { normalizeSignal } from '../../src/market-data/normalize-signal.js';
import { parseAlert } from '../../src/market-data/parse-alert.js';
import { signalSchema } from '../../src/market-data/signal.js';

const NOW_MS = Date.UTC(2026, 0, 1, 12);
const CANONICAL_DECIMAL = /^-?(0|[1-9]\d*)(\.\d*[1-9])?$/;

function run(body: string, mediaType = 'application/json') {
  const parsed = parseAlert(body, mediaType);
  if (!parsed.ok) {
    expect(parsed.problem.message.length).toBeGreaterThan(0);
    return { parsed, normalized: undefined };
  }
  for (const value of parsed.alert.fields.values()) expect(typeof value).not.toBe('number');
  const normalized = normalizeSignal(parsed.alert.fields, { receivedAtMs: NOW_MS });
  if (normalized.ok) {
    expect(signalSchema.safeParse(normalized.signal).success).toBe(true);
    const size = normalized.signal.size;
    const text =
      'amount' in size
        ? size.amount
        : 'value' in size
          ? size.value
          : 'percent' in size
            ? size.percent
            : size.position;
    expect(text).toMatch(CANONICAL_DECIMAL);
    if (normalized.signal.order.type === 'limit')
      expect(normalized.signal.order.price).toMatch(CANONICAL_DECIMAL);
  } else {
    expect(normalized.problems.length).toBeGreaterThan(0);
    for (const problem of normalized.problems) {
      expect(problem.field).toMatch(/^[a-z]+$/);
      expect(problem.message).not.toMatch(/undefined|\[object/);
    }
  }
  return { parsed, normalized };
}

/** JSON number literals far outside double range and precision. */
const hugeNumber = fc.oneof(
  fc.stringMatching(/^-?[1-9]\d{20,80}$/),
  fc.stringMatching(/^-?0\.\d{30,80}$/),
  fc.stringMatching(/^-?[1-9](\.\d{1,30})?[eE][+-]?\d{1,6}$/),
  fc.constantFrom('1e400', '-1e-400', '1E+308', '4.9e-324', '0e0', '0.0000000000000000000001', '1e-7'),
);

const oddText = fc.oneof(
  fc.constantFrom(
    '۰٫۰۰۱', // Persian digits and decimal separator
    '１', // full-width one
    '0.00\u200b1', // zero-width space inside a number
    '\u202e100.0', // right-to-left override
    '1\u0301', // combining mark
    'ＢＴＣＩＲＴ',
    'BTC\u0130RT',
    'bu\u0443', // Cyrillic u
    'NaN',
    'Infinity',
    '-0',
    '0x10',
    '1_000',
    ' 1 ',
    '\u0000',
    '\ud800',
  ),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);

const wrongType = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
);

/** A JSON object body built as text so that number literals reach the parser verbatim. */
const body = fc
  .record(
    {
      symbol: fc.oneof(
        fc.constantFrom('"BTCIRT"', '"USDTIRT"', '"btcirt"'),
        oddText.map((t) => JSON.stringify(t)),
      ),
      side: fc.oneof(
        fc.constantFrom('"buy"', '"sell"', '"long"'),
        oddText.map((t) => JSON.stringify(t)),
      ),
      amount: fc.oneof(
        hugeNumber,
        hugeNumber.map((n) => JSON.stringify(n)),
        oddText.map((t) => JSON.stringify(t)),
      ),
      price: fc.oneof(
        hugeNumber,
        hugeNumber.map((n) => JSON.stringify(n)),
      ),
      type: fc.constantFrom('"market"', '"limit"', '"LIMIT"'),
      extra: wrongType.map((value) => JSON.stringify(value)),
      weird: fc.oneof(
        hugeNumber,
        oddText.map((t) => JSON.stringify(t)),
      ),
    },
    { requiredKeys: [] },
  )
  .map((fields) => {
    const parts = Object.entries(fields).map(([key, value]) => `${JSON.stringify(key)}:${value}`);
    return `{${parts.join(',')}}`;
  });

describe('webhook parser and normalizer under hostile bodies', () => {
  it('answers a valid signal or field problems for huge, exponent and odd numbers, missing and extra fields', () => {
    fc.assert(
      fc.property(body, (text) => void run(text)),
      { numRuns: 400, seed: 1125 },
    );
  });

  it('never reads a huge or exponent amount as a rounded float', () => {
    fc.assert(
      fc.property(hugeNumber, (number) => {
        const { normalized } = run(`{"symbol":"BTCIRT","side":"buy","amount":${number}}`);
        if (normalized?.ok === true && normalized.signal.size.kind === 'base') {
          // The canonical text equals the literal's exact value (no double rounding).
          const [mantissa = '', exponent = '0'] = number.toLowerCase().split('e');
          const exact = BigInt(mantissa.replace('-', '').replace('.', '')) > 0n;
          expect(exact).toBe(true);
          expect(normalized.signal.size.amount).not.toMatch(/e/i);
          expect(Number(exponent)).toBeGreaterThan(-100_000);
        }
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('keeps the exact digits of an amount with more precision than a double', () => {
    const { normalized } = run('{"symbol":"BTCIRT","side":"buy","amount":0.10000000000000000555}');
    if (normalized?.ok === true && normalized.signal.size.kind === 'base')
      expect(normalized.signal.size.amount).toBe('0.10000000000000000555');
    else expect(normalized?.ok).toBe(false);
  });

  it('refuses wrong types for every known field with a problem, never a throw', () => {
    const keys = [
      'symbol',
      'side',
      'amount',
      'value',
      'percent',
      'position',
      'price',
      'type',
      'timenow',
      'id',
      'strategy',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...keys), wrongType, (key, value) => {
        const fields: Record<string, unknown> = {
          symbol: 'BTCIRT',
          side: 'buy',
          amount: '0.01',
          [key]: value,
        };
        const { normalized } = run(JSON.stringify(fields));
        if (value !== null && typeof value === 'object') expect(normalized?.ok).toBe(false);
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('does not let __proto__, constructor or prototype keys pollute objects or pass as fields', () => {
    const polluting = fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      '__PROTO__',
      '__defineGetter__',
    );
    fc.assert(
      fc.property(
        polluting,
        fc.oneof(
          wrongType.map((v) => JSON.stringify(v)),
          fc.constant('{"polluted":"yes","amount":"5"}'),
        ),
        (key, value) => {
          for (const mediaType of ['application/json', 'text/plain']) {
            const text = `{"symbol":"BTCIRT","side":"buy","amount":"0.01",${JSON.stringify(key)}:${value}}`;
            const { normalized } = run(text, mediaType);
            expect(({} as Record<string, unknown>).polluted).toBeUndefined();
            expect(Object.prototype).not.toHaveProperty('polluted');
            if (normalized?.ok === true && normalized.signal.size.kind === 'base')
              expect(normalized.signal.size.amount).toBe('0.01');
          }
          const command = parseAlert(`buy BTCIRT 0.01 ${key}=x`, 'text/plain');
          if (command.ok) expect(Object.prototype).not.toHaveProperty('x');
        },
      ),
      { numRuns: 100, seed: 13 },
    );
  });

  it('refuses bodies with fields missing: no side and no position, no size, no symbol', () => {
    for (const text of [
      '{"symbol":"BTCIRT","amount":"0.01"}',
      '{"symbol":"BTCIRT","side":"buy"}',
      '{"side":"buy","amount":"0.01"}',
      '{}',
    ]) {
      const { normalized } = run(text);
      expect(normalized?.ok).toBe(false);
    }
  });

  it('answers a value of any JSON type in any field with a signal or problems, never a throw', () => {
    const anyJson = fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value));
    const key = fc.oneof(
      fc.constantFrom('symbol', 'side', 'amount', 'value', 'percent', 'position', 'price', 'type', 'id'),
      fc.constantFrom('timenow', 'strategy', 'passphrase', 'extra'),
    );
    fc.assert(
      fc.property(key, anyJson, (field, value) => {
        for (const mediaType of ['application/json', 'text/plain'])
          run(
            `{"symbol":"BTCIRT","side":"buy","amount":"0.01",${JSON.stringify(field)}:${value}}`,
            mediaType,
          );
        run(value);
      }),
      { numRuns: 400, seed: 17 },
    );
  });

  it('refuses nesting deeper than the limit with a body problem, whatever the brackets and strings', () => {
    const nested = fc
      .record({
        depth: fc.integer({ min: 1, max: 5_000 }),
        opener: fc.constantFrom('[', '{"a":', '[{"k":', '{"s":"]}\\"","a":'),
        tail: fc.constantFrom('1', '"x"', 'null', '{}', '[]', '"[[[{"'),
      })
      .map(({ depth, opener, tail }) => {
        const closer = (open: string) => [...open].filter((c) => c === '[' || c === '{').reverse();
        const closing = closer(opener)
          .map((c) => (c === '[' ? ']' : '}'))
          .join('');
        const levels = closer(opener).length;
        return { text: opener.repeat(depth) + tail + closing.repeat(depth), levels: levels * depth };
      });
    fc.assert(
      fc.property(nested, ({ text, levels }) => {
        const { parsed } = run(text, 'application/json');
        if (levels > JSON_DEPTH_MAX) {
          expect(parsed.ok).toBe(false);
          if (!parsed.ok) expect(parsed.problem.message).toMatch(/nested deeper than/);
        }
      }),
      { numRuns: 300, seed: 19 },
    );
  });
});
