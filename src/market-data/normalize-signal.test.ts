// Goal: raw fields become exactly one valid Signal or a list of every problem, never an exception,
// never a float or NaN amount. Method: examples for each rule, then fast-check with hostile values
// (huge and exponent numbers, wrong types, odd Unicode) and with generated valid alerts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, formatDecimal, parseJsonLossless } from '../core/decimal.js';
import { FIELD_ALIASES, normalizeSignal, SIZE_ALIASES } from './normalize-signal.js';
import { parseAlert } from './parse-alert.js';
import { signalSchema } from './signal.js';

const RECEIVED_AT_MS = Date.UTC(2026, 0, 1, 12);
const normalize = (fields: Record<string, unknown>, allowedSymbols?: ReadonlySet<string>) =>
  normalizeSignal(new Map(Object.entries(fields)), {
    receivedAtMs: RECEIVED_AT_MS,
    ...(allowedSymbols === undefined ? {} : { allowedSymbols }),
  });
const problemsOf = (fields: Record<string, unknown>) => {
  const result = normalize(fields);
  return result.ok ? [] : result.problems;
};

describe('normalizeSignal', () => {
  it('maps long/short to buy/sell, case-insensitively', () => {
    const result = normalize({ symbol: 'btc-rls', action: 'SHORT', qty: '1.50' });
    expect(result.ok && result.signal).toMatchObject({
      symbol: 'BTCIRT',
      side: 'sell',
      size: { amount: '1.5' },
    });
  });

  it('reads expiresIn of a limit order as seconds or with a unit, and refuses it elsewhere', () => {
    const limit = { symbol: 'BTCIRT', side: 'buy', amount: '0.1', type: 'limit', price: '7000000000' };
    const minutes = normalize({ ...limit, expiresin: '30m' });
    expect(minutes.ok && minutes.signal.order).toEqual({
      type: 'limit',
      price: '7000000000',
      expiresInMs: 1_800_000,
    });
    const seconds = normalize({ ...limit, expiresin: 90 });
    expect(seconds.ok && seconds.signal.order).toMatchObject({ expiresInMs: 90_000 });
    expect(problemsOf({ ...limit, expiresin: '1y' })).toEqual([
      { field: 'expires', message: expect.stringMatching(/90s, 30m, 2h/) },
    ]);
    expect(problemsOf({ ...limit, expiresin: '8d' })[0]?.message).toMatch(/between 10 s and 604800 s/);
    expect(problemsOf({ symbol: 'BTCIRT', side: 'buy', amount: '0.1', expiresin: '1h' })).toEqual([
      { field: 'expires', message: 'expiresIn applies to resting (limit and stop) orders only' },
    ]);
  });

  it('lets a target position go without a side', () => {
    const result = normalize({ symbol: 'BTCUSDT', strategypositionsize: 0 });
    expect(result.ok && result.signal).toMatchObject({ size: { kind: 'target', position: '0' } });
    expect(result.ok && result.signal.side).toBeUndefined();
  });

  it("reads the alert's own maximum age in whole milliseconds", () => {
    const result = normalize({ symbol: 'BTCIRT', side: 'buy', amount: '1', agemaxms: '600000' });
    expect(result.ok && result.signal.ageMaxMs).toBe(600_000);
    expect(normalize({ symbol: 'BTCIRT', side: 'buy', amount: '1' }).ok).toBe(true);
  });

  it.each([['0'], ['-5'], ['1.5'], ['604800001'], ['soon']])('refuses the maximum age %s', (raw) => {
    expect(problemsOf({ symbol: 'BTCIRT', side: 'buy', amount: '1', agemaxms: raw })).toEqual([
      { field: 'age', message: expect.stringContaining('ageMaxMs') },
    ]);
  });

  it('prefers timenow over time and reads milliseconds', () => {
    const result = normalize({
      symbol: 'ETHIRT',
      side: 'buy',
      amount: 1,
      time: '2026-01-01T00:00:00Z',
      timenow: '2026-01-01T11:59:59.250Z',
    });
    expect(result.ok && result.signal.alertAtMs).toBe(Date.UTC(2026, 0, 1, 11, 59, 59, 250));
  });

  it('keeps the chart price of a market order as a reference only', () => {
    const result = normalize({ symbol: 'ETHIRT', side: 'buy', amount: 1, price: '100.50' });
    expect(result.ok && result.signal.order).toEqual({ type: 'market', referencePrice: '100.5' });
  });

  it('refuses a symbol outside the allowed set', () => {
    const result = normalize({ symbol: 'ETHIRT', side: 'buy', amount: 1 }, new Set(['BTCIRT']));
    expect(result.ok ? [] : result.problems).toEqual([
      { field: 'symbol', message: 'symbol ETHIRT is not allowed here' },
    ]);
  });

  it('lists every problem, one per field', () => {
    const problems = problemsOf({
      symbol: 'NOPE',
      side: 'hold',
      amount: '1',
      value: '2',
      type: 'stop',
      time: '2026-02-30T00:00:00Z',
      strategy: 'a\u0000b',
      id: 'has space',
    });
    expect(problems.map((problem) => problem.field)).toEqual([
      'symbol',
      'size',
      'side',
      'type',
      'strategy',
      'time',
      'id',
    ]);
    expect(problems.find((problem) => problem.field === 'size')?.message).toMatch(/got amount and value$/);
    expect(problems.find((problem) => problem.field === 'time')?.message).toMatch(/not a real date/);
  });

  it('refuses two aliases that disagree', () => {
    expect(problemsOf({ symbol: 'BTCIRT', side: 'buy', action: 'sell', amount: 1 })).toEqual([
      { field: 'side', message: 'side and action disagree' },
    ]);
  });

  it.each([
    [{ amount: true }, 'amount must be a decimal string, was boolean'],
    [{ amount: { x: 1 } }, 'amount must be a decimal string, was object'],
    [{ amount: 'NaN' }, 'amount is not a decimal number, was "NaN"'],
    [{ amount: 'Infinity' }, 'amount is not a decimal number, was "Infinity"'],
    [{ amount: '1e-41' }, 'amount is out of range, was 1e-41'],
    [{ percent: '0' }, 'percent must be greater than 0, was 0'],
    [{ position: '-2000000000' }, 'position is above the limit 1000000000, was -2000000000'],
  ])('refuses the size %j', (size, message) => {
    expect(problemsOf({ symbol: 'BTCIRT', side: 'buy', ...size })).toEqual([{ field: 'size', message }]);
  });
});

const CANONICAL_DECIMAL = /^-?(0|[1-9]\d*)(\.\d*[1-9])?$/;
const KNOWN_KEYS = [...Object.values(FIELD_ALIASES).flat(), ...Object.values(SIZE_ALIASES).flat()];

const hostileValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    'buy',
    'SELL',
    'long',
    'BTCIRT',
    'NOBITEX:BTCIRT',
    'limit',
    '2026-01-01T12:00:00Z',
    '{{close}}',
    '-0',
    '0E-10',
  ),
  fc.stringMatching(/^-?\d{0,45}(\.\d{0,45})?([eE][+-]?\d{1,5})?$/).map((text) => (text === '' ? '0' : text)),
  fc
    .stringMatching(/^-?(0|[1-9]\d{0,44})(\.\d{1,45})?([eE][+-]?\d{1,5})?$/)
    .map((text) => parseJsonLossless(text)),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
);

function expectSignalOrProblems(result: ReturnType<typeof normalize>): void {
  if (result.ok) {
    expect(signalSchema.safeParse(result.signal).success).toBe(true);
    const size = result.signal.size;
    const sizeText =
      'amount' in size
        ? size.amount
        : 'value' in size
          ? size.value
          : 'percent' in size
            ? size.percent
            : size.position;
    expect(sizeText).toMatch(CANONICAL_DECIMAL);
  } else {
    expect(result.problems.length).toBeGreaterThan(0);
    for (const problem of result.problems) {
      expect(problem.field).toMatch(/^[a-z]+$/);
      expect(problem.message.length).toBeGreaterThan(0);
      expect(problem.message).not.toMatch(/undefined|\[object/);
    }
  }
}

describe('normalizeSignal properties', () => {
  it('never throws on hostile fields: a valid Signal or clear problems', () => {
    const fields = fc.dictionary(
      fc.oneof(fc.constantFrom(...KNOWN_KEYS), fc.string({ maxLength: 8 })),
      hostileValue,
      {
        maxKeys: 12,
      },
    );
    fc.assert(
      fc.property(fields, (record) => expectSignalOrProblems(normalize(record))),
      { numRuns: 3_000 },
    );
  });

  it('never throws on bodies parsed from hostile JSON and commands', () => {
    const body = fc.oneof(
      fc.json({ maxDepth: 2 }),
      fc
        .tuple(
          fc.constantFrom('buy', 'sell', 'Long'),
          fc.constantFrom('BTCIRT', 'x', 'NOBITEX:ETHUSDT'),
          fc.string({ maxLength: 30 }),
        )
        .map((parts) => parts.join(' ')),
    );
    fc.assert(
      fc.property(body, (text) => {
        const parsed = parseAlert(text, undefined);
        if (parsed.ok)
          expectSignalOrProblems(normalizeSignal(parsed.alert.fields, { receivedAtMs: RECEIVED_AT_MS }));
      }),
      { numRuns: 2_000 },
    );
  });

  it('builds only signals the schema accepts, trades and actions alike (it vouches for them)', () => {
    const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined, freq: 2 });
    const level = fc.constantFrom('100', '2%', '0.5%', '99.9%', '5000000', '150%', '0', 'x');
    const alert = fc.record(
      {
        symbol: fc.constantFrom('BTCIRT', 'eth-usdt', 'NOBITEX:SOLIRT'),
        side: fc.constantFrom('buy', 'sell', 'long', 'close', 'cancel'),
        size: fc.constantFrom<Record<string, string>>(
          { amount: '0.01' },
          { amount: '1' },
          { position: '0' },
          { position: '-2.5' },
          { percent: '25' },
          { value: '1000000' },
          { amount: '-1' },
        ),
        type: optional(fc.constantFrom('market', 'limit', 'stop_market', 'stop_limit')),
        price: optional(fc.constantFrom('123450000', '0.1')),
        stopPrice: optional(fc.constantFrom('123000000', '1')),
        expiresIn: optional(fc.constantFrom('30m', 'gtc', 90)),
        stopLoss: optional(level),
        takeProfit: optional(level),
        stopLimitPrice: optional(level),
        strategy: optional(fc.string({ minLength: 1, maxLength: 120 })),
        id: optional(fc.constantFrom('a-1', 'x:y.z', 'bad id')),
        time: optional(fc.constantFrom('2026-01-01T11:59:00Z', '1767268740000')),
        ageMaxMs: optional(fc.constantFrom(5_000, '60000')),
      },
      { requiredKeys: ['symbol', 'side', 'size'] },
    );
    let built = 0;
    fc.assert(
      fc.property(alert, (fields) => {
        const { size, ...rest } = fields;
        const present = Object.fromEntries(
          Object.entries({ ...rest, ...size }).filter(([, value]) => value !== undefined),
        );
        const result = normalize(
          Object.fromEntries(Object.entries(present).map(([key, value]) => [key.toLowerCase(), value])),
        );
        if (!result.ok) return;
        built++;
        expect(signalSchema.safeParse(result.signal).success).toBe(true);
      }),
      { numRuns: 3_000 },
    );
    expect(built).toBeGreaterThan(100);
  });

  it('keeps every valid amount exact, in canonical form', () => {
    const amount = fc
      .tuple(fc.bigInt({ min: 0n, max: 10n ** 9n - 1n }), fc.stringMatching(/^\d{0,18}$/))
      .filter(([integer, fraction]) => integer > 0n || /[1-9]/.test(fraction))
      .map(([integer, fraction]) => (fraction === '' ? `${integer}` : `${integer}.${fraction}`));
    fc.assert(
      fc.property(amount, fc.constantFrom('BTCIRT', 'eth-usdt', 'NOBITEX:SOLIRT'), (text, symbol) => {
        const result = normalize({ symbol, side: 'buy', amount: text });
        expect(result.ok).toBe(true);
        if (result.ok && result.signal.size.kind === 'base')
          expect(result.signal.size.amount).toBe(formatDecimal(new Decimal(text)));
      }),
      { numRuns: 1_000 },
    );
  });
});
