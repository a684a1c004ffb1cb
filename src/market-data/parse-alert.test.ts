// Goal: any body becomes raw fields or one clear problem, never an exception; the passphrase never
// survives into the redacted copy. Method: examples per format, then fast-check on arbitrary text.
import fc from 'fast-check';
import { isLosslessNumber } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { parseAlert } from './parse-alert.js';

const fieldsOf = (body: string, mediaType?: string) => {
  const result = parseAlert(body, mediaType);
  if (!result.ok) throw new Error(`expected fields, got ${result.problem.message}`);
  return result.alert;
};

describe('parseAlert', () => {
  it('reads JSON with canonical keys and keeps non-safe numbers lossless', () => {
    const alert = fieldsOf(
      '{"Position_Size": 0.1, "qty": 12, "strategy.order.action": "BUY"}',
      'application/json',
    );
    expect(alert.format).toBe('json');
    expect([...alert.fields.keys()]).toEqual(['positionsize', 'qty', 'strategyorderaction']);
    const position = alert.fields.get('positionsize');
    expect(isLosslessNumber(position) && position.value).toBe('0.1');
    expect(alert.fields.get('qty')).toBe(12);
  });

  it('reads JSON inside text/plain', () => {
    expect(fieldsOf(' {"side":"sell"} ', 'text/plain').format).toBe('text-json');
  });

  it('reads the command form: words then key=value pairs, quoted values allowed', () => {
    const alert = fieldsOf(
      'buy BTCIRT 0.01 type=limit price=123 strategy="my strat" passphrase=s3cret',
      undefined,
    );
    expect(Object.fromEntries(alert.fields)).toEqual({
      side: 'buy',
      symbol: 'BTCIRT',
      amount: '0.01',
      type: 'limit',
      price: '123',
      strategy: 'my strat',
      passphrase: 's3cret',
    });
    expect(alert.redacted).toBe('buy BTCIRT 0.01 type=limit price=123 strategy="my strat"');
  });

  it('reads a trailing % as a percent size', () => {
    expect(fieldsOf('sell ETHUSDT 25%', 'text/plain').fields.get('percent')).toBe('25');
  });

  it('removes the passphrase from the redacted JSON whatever its case', () => {
    const alert = fieldsOf('{"PassPhrase":"s3cret","side":"buy","n":0.30}', 'application/json');
    expect(alert.redacted).toBe('{"side":"buy","n":0.30}');
  });

  it.each([
    ['', undefined, 'body', /^empty body/],
    ['{"a":', 'application/json', 'body', /^malformed JSON near position \d+$/],
    ['buy', 'application/json', 'body', /^malformed JSON/],
    ['[1,2]', 'text/plain', 'body', /^alert JSON must be an object/],
    ['"text"', 'application/json', 'body', /^alert JSON must be an object/],
    ['{"side":"buy","SIDE":"sell"}', 'application/json', 'side', /given more than once/],
    ['side=buy BTCIRT', 'text/plain', 'body', /^words must come before key=value pairs/],
    ['buy BTCIRT 1 2', 'text/plain', 'body', /^too many words/],
  ])('refuses %j (%s) with a problem on %s', (body, mediaType, field, message) => {
    const result = parseAlert(body, mediaType);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem.field).toBe(field);
    expect(result.problem.message).toMatch(message);
  });

  it('does not quote the body in a JSON error, where the passphrase may be', () => {
    const result = parseAlert('{"passphrase":"hunter2" "x":1}', 'application/json');
    expect(result.ok ? '' : result.problem.message).not.toContain('hunter2');
  });

  it('never throws on arbitrary text, and always answers fields or one problem', () => {
    const bodies = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.json({ maxDepth: 3 }),
      fc.stringMatching(/^(buy|sell|x)( [A-Za-z:=%"0-9.{}-]{0,12}){0,6}$/),
    );
    const mediaTypes = fc.constantFrom(
      undefined,
      'application/json',
      'text/plain',
      'application/ld+json',
      'x/y',
    );
    fc.assert(
      fc.property(bodies, mediaTypes, (body, mediaType) => {
        const result = parseAlert(body, mediaType);
        if (result.ok) {
          expect(result.alert.fields.size).toBeLessThanOrEqual(64);
          for (const value of result.alert.fields.values()) expect(typeof value).not.toBe('bigint');
        } else {
          expect(result.problem.field.length).toBeGreaterThan(0);
          expect(result.problem.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('never produces a float from JSON numbers, however large or small', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^-?\d{1,60}(\.\d{1,60})?([eE][+-]?\d{1,4})?$/), (number) => {
        const result = parseAlert(`{"amount": ${number}}`, 'application/json');
        if (!result.ok) return;
        const value = result.alert.fields.get('amount');
        if (typeof value === 'number') expect(Number.isSafeInteger(value)).toBe(true);
        else expect(isLosslessNumber(value)).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  });
});
