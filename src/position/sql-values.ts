// Row readers shared by the position stores. PostgreSQL returns BIGINT as a string, SQLite as a number.
import { assert } from '../core/assert.js';

export function rowNumber(value: unknown, field: string): number {
  const result = typeof value === 'string' || typeof value === 'bigint' ? Number(value) : value;
  assert(
    typeof result === 'number' && Number.isSafeInteger(result),
    `${field} must be a safe integer, was ${value}`,
  );
  return result;
}

export function rowText(value: unknown, field: string): string {
  assert(typeof value === 'string', `${field} must be text, was ${typeof value}`);
  return value;
}

export function rowOptionalText(value: unknown, field: string): string | undefined {
  return value === null || value === undefined ? undefined : rowText(value, field);
}

/** Minor units stored as a decimal integer string (int64 would overflow for rial × 1e10 sums). */
export function rowMinor(value: unknown, field: string): bigint {
  const text = rowText(value, field);
  assert(/^-?\d{1,60}$/.test(text), `${field} must be an integer string, was ${text.slice(0, 70)}`);
  return BigInt(text);
}
