// Goal (issue 14): alerts carry stop orders (type stop_market / stop_limit with stopPrice), a
// stop-loss and take-profit (a price or a percentage) on a buy, and expiresIn gtc, in JSON and in the
// text form; every bad combination is a clear problem (the intake's 400). Method: parseAlert then
// normalizeSignal, as the intake does.
import { describe, expect, it } from 'vitest';
import { normalizeSignal } from '../../src/market-data/normalize-signal.js';
import { parseAlert } from '../../src/market-data/parse-alert.js';

const RECEIVED_AT_MS = Date.UTC(2026, 0, 1, 12);

function normalizeBody(body: string, mediaType?: string) {
  const parsed = parseAlert(body, mediaType);
  if (!parsed.ok) throw new Error(`not parsed: ${JSON.stringify(parsed)}`);
  return normalizeSignal(parsed.alert.fields, { receivedAtMs: RECEIVED_AT_MS });
}
const json = (fields: Record<string, unknown>) =>
  normalizeBody(
    JSON.stringify({ symbol: 'BTCIRT', side: 'buy', amount: '0.01', ...fields }),
    'application/json',
  );
const problemsOf = (fields: Record<string, unknown>) => {
  const result = json(fields);
  return result.ok ? [] : result.problems.map((problem) => problem.message).join('; ');
};

describe('alert stop orders and protection', () => {
  it('reads a stop_market and a stop_limit order with their prices', () => {
    expect(json({ type: 'stop_market', stopPrice: '6800000000' })).toMatchObject({
      ok: true,
      signal: { order: { type: 'stop_market', stopPrice: '6800000000' } },
    });
    expect(
      json({ type: 'stop_limit', stopPrice: '6800000000', price: '6790000000', expiresIn: 'gtc' }),
    ).toMatchObject({
      ok: true,
      signal: {
        order: { type: 'stop_limit', stopPrice: '6800000000', price: '6790000000', expiresInMs: 'gtc' },
      },
    });
  });

  it('reads stopLoss and takeProfit as a price or a percentage, in the text form too', () => {
    expect(json({ stopLoss: '2%', takeProfit: '7500000000' })).toMatchObject({
      ok: true,
      signal: { stopLoss: { percent: '2' }, takeProfit: { price: '7500000000' } },
    });
    expect(normalizeBody('buy BTCIRT 0.01 sl=1.5% tp=3%', 'text/plain')).toMatchObject({
      ok: true,
      signal: { stopLoss: { percent: '1.5' }, takeProfit: { percent: '3' } },
    });
    expect(
      normalizeBody('buy BTCIRT 0.01 type=stop_market stopPrice=6800000000', 'text/plain'),
    ).toMatchObject({
      ok: true,
      signal: { order: { type: 'stop_market', stopPrice: '6800000000' } },
    });
  });

  it("reads an OCO's stopLimitPrice as a price or a percentage below the stop, in the text form too", () => {
    expect(json({ stopLoss: '2%', takeProfit: '4%', stopLimitPrice: '6700000000' })).toMatchObject({
      ok: true,
      signal: { stopLimitPrice: { price: '6700000000' } },
    });
    expect(normalizeBody('buy BTCIRT 0.01 sl=2% tp=4% stopLimit=0.5%', 'text/plain')).toMatchObject({
      ok: true,
      signal: {
        stopLoss: { percent: '2' },
        takeProfit: { percent: '4' },
        stopLimitPrice: { percent: '0.5' },
      },
    });
  });

  it('keeps a limit order good till cancelled with expiresIn gtc', () => {
    expect(json({ type: 'limit', price: '7000000000', expiresIn: 'GTC' })).toMatchObject({
      ok: true,
      signal: { order: { type: 'limit', expiresInMs: 'gtc' } },
    });
  });

  it.each([
    [{ type: 'stop_market' }, /stop_market order needs a stopPrice/],
    [{ type: 'stop_limit', stopPrice: '1' }, /stop_limit order needs a price/],
    [
      { type: 'limit', price: '7000000000', stopPrice: '1' },
      /stopPrice applies to stop_market and stop_limit/,
    ],
    [{ type: 'stop_market', stopPrice: '1', price: '2' }, /takes stopPrice, not price/],
    [{ side: 'sell', stopLoss: '2%' }, /protect a buy entry: on spot a sell opens no position/],
    [{ side: 'sell', takeProfit: '4%' }, /protect a buy entry/],
    [{ stopLoss: '2%', stopLimitPrice: '0.5%' }, /with both stopLoss and takeProfit/],
    [
      { stopLoss: '6800000000', takeProfit: '7400000000', stopLimitPrice: '6810000000' },
      /stopLimitPrice must not be above stopLoss/,
    ],
    [{ stopLoss: '2%', takeProfit: '4%', stopLimitPrice: '100%' }, /stopLimitPrice must be below 100%/],
    [{ stopLoss: '100%' }, /stopLoss must be below 100%/],
    [{ takeProfit: 'soon' }, /a percentage such as 2%/],
    [{ type: 'market', expiresIn: 'gtc' }, /resting \(limit and stop\) orders only/],
    [{ type: 'limit', price: '1', expiresIn: 'forever' }, /or gtc/],
    [{ type: 'trailing' }, /type must be one of/],
  ])('refuses %j with a clear problem', (fields, message) => {
    expect(problemsOf(fields)).toMatch(message);
  });
});
