// Goal: the field parsers accept every documented quirk and refuse everything else with a path.
// Method: small zod objects fed the reference's odd values.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseJsonLossless } from '../../core/decimal.js';
import {
  currencyCodeFromDisplay,
  currencyField,
  decimalField,
  epochMsField,
  isoTimeField,
  priceField,
} from './schema-fields.js';

describe('schema fields', () => {
  it.each([
    ['"0E-10"', '0'],
    ['"3.0000000000"', '3'],
    ['"25500000.00000000000000000000"', '25500000'],
    ['746212980', '746212980'],
    ['18.221362316', '18.221362316'],
    ['0.1', '0.1'],
  ])('decimal %s → %s, exactly', (json, expected) => {
    expect(decimalField.parse(parseJsonLossless(json)).toFixed()).toBe(expected);
  });

  it.each([['"abc"'], ['null'], ['true'], ['"NaN"'], ['"1e999"']])(
    'decimal %s is an issue, never NaN',
    (json) => {
      const result = z.object({ amount: decimalField }).safeParse({ amount: parseJsonLossless(json) });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(['amount']);
    },
  );

  it('reads price "market" as the marker', () => {
    expect(priceField.parse('market')).toBe('market');
    expect(String(priceField.parse('520000000'))).toBe('520000000');
  });

  it('maps display names and codes to lowercase codes', () => {
    expect(['Bitcoin', '﷼', 'ریال', 'Tether', 'usdt', 'BTC'].map(currencyCodeFromDisplay)).toEqual([
      'btc',
      'rls',
      'rls',
      'usdt',
      'usdt',
      'btc',
    ]);
    expect(() => currencyCodeFromDisplay('Shiba Inu')).toThrow(/unknown currency name/);
    expect(currencyField.parse('Shiba Inu')).toBeUndefined();
    expect(currencyField.parse('Pepe')).toBe('pepe');
  });

  it('parses ISO times with microseconds and epoch ms in either form', () => {
    expect(isoTimeField.parse('2018-11-28T11:36:13.592827+00:00')).toBe(
      Date.UTC(2018, 10, 28, 11, 36, 13, 592),
    );
    expect(isoTimeField.safeParse('yesterday').success).toBe(false);
    expect(epochMsField.parse('1658565992195')).toBe(1658565992195);
    expect(epochMsField.parse(1644991756704)).toBe(1644991756704);
  });
});
