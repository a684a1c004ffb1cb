// Goal: the output quirks are produced exactly: microsecond ISO dates, Python Decimal strings.
// Method: direct calls.
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../core/decimal.js';
import { isoMicros, pyDecimal10 } from './serialize.js';

describe('serialize quirks', () => {
  it('writes ISO dates with six fractional digits and +00:00', () => {
    expect(isoMicros(Date.UTC(2022, 6, 5, 9, 57, 38, 560), 820)).toBe('2022-07-05T09:57:38.560820+00:00');
    expect(isoMicros(0)).toBe('1970-01-01T00:00:00.000000+00:00');
  });

  it('writes zero as 0E-10 and others with ten decimals', () => {
    expect(pyDecimal10(new Decimal(0))).toBe('0E-10');
    expect(pyDecimal10(new Decimal('3'))).toBe('3.0000000000');
    expect(pyDecimal10(new Decimal('0.00000031'))).toBe('0.0000003100');
  });
});
