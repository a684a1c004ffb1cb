// Goal: whatever body Nobitex (or a broken proxy) answers, the client gives a valid typed result
// whose every amount is a Decimal (never a float, never NaN), or a typed ExchangeError — most often
// MalformedResponseError — and never crashes with a TypeError or similar.
// Method: a scripted Transport (src/exchange/connection-pool/transport.ts) answers each client call
// with a mutation of the reference's example payload for that endpoint (leaves replaced by hostile
// values, keys deleted or added, truncated text, random JSON), chosen by fast-check.
import fc from 'fast-check';
import { isLosslessNumber, parse as parseLossless, stringify } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { Decimal } from '../../src/core/decimal.js';
import type {
  Transport,
  TransportRequest,
  TransportResponse,
} from '../../src/exchange/connection-pool/transport.js';
import { isExchangeError, isMalformedResponseError } from '../../src/exchange/errors.js';
import { NobitexClient } from '../../src/exchange/nobitex-client/nobitex-client.js';
import * as P from '../exchange/helpers/nobitex-payloads.js';

const BTC_RLS = { base: 'btc', quote: 'rls' } as const;
const USDT_RLS = { base: 'usdt', quote: 'rls' } as const;

/** Each client call with the example body Nobitex answers it with. */
const CALLS: readonly { name: string; body: string; call: (client: NobitexClient) => Promise<unknown> }[] = [
  { name: 'orderBook', body: P.ORDERBOOK_BTCIRT, call: (c) => c.getOrderBook(BTC_RLS) },
  { name: 'orderBookAll', body: P.ORDERBOOK_ALL, call: (c) => c.getOrderBook('all') },
  { name: 'trades', body: P.TRADES_BTCIRT, call: (c) => c.getRecentTrades(BTC_RLS) },
  { name: 'stats', body: P.MARKET_STATS, call: (c) => c.getMarketStats() },
  {
    name: 'ohlc',
    body: P.OHLC,
    call: (c) => c.getOhlc({ market: BTC_RLS, resolution: '60', toMs: Date.UTC(2026, 0, 1) }),
  },
  { name: 'options', body: P.OPTIONS, call: (c) => c.getOptions() },
  {
    name: 'placeOrder',
    body: P.ORDER_ADD_OK,
    call: (c) =>
      c.placeOrder({
        market: BTC_RLS,
        side: 'buy',
        execution: 'limit',
        amount: new Decimal('0.01'),
        price: new Decimal('1000'),
        clientOrderId: 'k1',
      }),
  },
  { name: 'orderStatus', body: P.ORDER_STATUS_MARKET, call: (c) => c.getOrderStatus({ id: 5684 }) },
  { name: 'listOrders', body: P.ORDERS_LIST, call: (c) => c.listOrders({ market: USDT_RLS, status: 'all' }) },
  { name: 'cancel', body: P.CANCEL_OK, call: (c) => c.cancelOrder({ id: 5684 }) },
  { name: 'userTrades', body: P.USER_TRADES, call: (c) => c.listUserTrades({ market: USDT_RLS }) },
  { name: 'wallets', body: P.WALLETS, call: (c) => c.getWallets() },
  { name: 'walletsV2', body: P.WALLETS_V2, call: (c) => c.getWalletsV2({ currencies: ['rls', 'btc'] }) },
  { name: 'profile', body: P.PROFILE, call: (c) => c.getProfile() },
];

function scriptedTransport(answer: () => { statusCode: number; bodyText: string }): Transport {
  return {
    async request(_request: TransportRequest): Promise<TransportResponse> {
      const { statusCode, bodyText } = answer();
      return {
        statusCode,
        bodyText,
        headers: { 'content-type': 'application/json' },
        baseUrl: 'https://api.test',
        durationMs: 1,
      };
    },
  };
}

const clientFor = (transport: Transport) =>
  new NobitexClient({
    transport,
    auth: { kind: 'token', token: P.TOKEN },
    userAgent: 'TraderBot/keel-0.1.0',
    clock: new FakeClock(Date.UTC(2026, 0, 1)),
  });

const hostileLeaf = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    '',
    'NaN',
    'Infinity',
    '-Infinity',
    '1e400',
    '-0',
    '0x1F',
    '1,000',
    '۱۲۳',
    ' 12 ',
    '1e-400',
    {},
    [],
  ),
  fc.double().map((n) => n as unknown),
  fc.integer().map((n) => n as unknown),
  fc.string({ maxLength: 8 }).map((s) => s as unknown),
  fc.stringMatching(/^-?\d{1,40}(\.\d{1,40})?([eE][+-]?\d{1,4})?$/).map((s) => s as unknown),
);

type Json = unknown;

/** Paths to every node of a parsed JSON value. */
function paths(
  value: Json,
  prefix: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(value)) {
    for (const [index, child] of value.entries()) paths(child, [...prefix, index], out);
  } else if (value !== null && typeof value === 'object' && !isLosslessNumber(value))
    for (const [key, child] of Object.entries(value)) paths(child, [...prefix, key], out);
  return out;
}

function mutate(
  value: Json,
  path: readonly (string | number)[],
  action: 'replace' | 'delete' | 'add',
  leaf: unknown,
): Json {
  if (path.length === 0) return action === 'replace' ? leaf : value;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy = [...value];
    if (rest.length === 0 && action === 'delete') copy.splice(Number(head), 1);
    else copy[Number(head)] = mutate(copy[Number(head)], rest, action, leaf);
    return copy;
  }
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const key = String(head);
    if (rest.length === 0 && action === 'delete') delete copy[key];
    else if (rest.length === 0 && action === 'add') copy[`${key}_extra`] = leaf;
    else copy[key] = mutate(copy[key], rest, action, leaf);
    return copy;
  }
  return value;
}

const AMOUNT_KEY =
  /amount|price|fee|balance|blocked|volume|total|value|bestsell|bestbuy|latest|high|low|open|close|dayhigh|daylow|dayopen|dayclose|vol/i;

/** Every number in a result is finite; every amount-like field is a Decimal with a finite value. */
function checkResult(value: unknown, key = '', seen = new Set<unknown>()): void {
  if (typeof value === 'number') {
    expect(Number.isFinite(value), `${key} is ${value}`).toBe(true);
    expect(
      AMOUNT_KEY.test(key) && !/count|id|ms$|time|precision|scale|digits/i.test(key),
      `${key} is a float number`,
    ).toBe(false);
    return;
  }
  if (value instanceof Decimal) {
    expect(value.isFinite(), `${key} is ${value.toString()}`).toBe(true);
    return;
  }
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (value instanceof Map) for (const [k, v] of value) checkResult(v, String(k), seen);
  else for (const [k, v] of Object.entries(value)) checkResult(v, /^\d+$/.test(k) ? key : k, seen);
}

async function outcome(
  call: (client: NobitexClient) => Promise<unknown>,
  statusCode: number,
  bodyText: string,
): Promise<'ok' | 'malformed' | 'typed'> {
  try {
    checkResult(await call(clientFor(scriptedTransport(() => ({ statusCode, bodyText })))));
    return 'ok';
  } catch (error) {
    if (isMalformedResponseError(error)) return 'malformed';
    if (isExchangeError(error)) return 'typed';
    throw error;
  }
}

describe('Nobitex client response parsing under hostile bodies', () => {
  it('parses every example payload unmutated into Decimal amounts', async () => {
    for (const { name, body, call } of CALLS) expect(await outcome(call, 200, body), name).toBe('ok');
  });

  it('answers a mutated example with a valid result or a typed error, never a crash, float or NaN', async () => {
    const mutation = fc.record({
      callIndex: fc.nat({ max: CALLS.length - 1 }),
      pathSeed: fc.nat(),
      action: fc.constantFrom<'replace' | 'delete' | 'add'>('replace', 'replace', 'delete', 'add'),
      leaf: hostileLeaf,
      times: fc.integer({ min: 1, max: 3 }),
    });
    const counts = { ok: 0, malformed: 0, typed: 0 };
    await fc.assert(
      fc.asyncProperty(mutation, async ({ callIndex, pathSeed, action, leaf, times }) => {
        const spec = CALLS[callIndex];
        if (spec === undefined) return;
        let value: Json = parseLossless(spec.body);
        for (let i = 0; i < times; i++) {
          const all = paths(value);
          value = mutate(value, all[(pathSeed + i * 7) % all.length] ?? [], action, leaf);
        }
        counts[await outcome(spec.call, 200, stringify(value) ?? 'null')]++;
      }),
      { numRuns: 600, seed: 2026 },
    );
    expect(counts.ok).toBeGreaterThan(0);
    expect(counts.malformed).toBeGreaterThan(0);
  });

  it('answers random text, truncated JSON and random JSON with a typed error or a valid result', async () => {
    const body = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.json({ maxDepth: 3 }),
      fc.constantFrom(
        '',
        'null',
        '[]',
        '{}',
        '<html>502 Bad Gateway</html>',
        '{"status":"ok"}',
        '{"status":"ok","order":null}',
      ),
      fc.nat({ max: 200 }).chain((cut) => fc.constantFrom(...CALLS.map((c) => c.body.slice(0, cut)))),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: CALLS.length - 1 }),
        body,
        fc.constantFrom(200, 400, 404, 429, 500, 503),
        async (index, text, status) => {
          const spec = CALLS[index];
          if (spec !== undefined) await outcome(spec.call, status, text);
        },
      ),
      { numRuns: 400, seed: 99 },
    );
  });

  it('answers a body nested thousands of levels deep, or holding any JSON value anywhere, with a typed error', async () => {
    const deep = fc
      .record({ depth: fc.integer({ min: 33, max: 5_000 }), open: fc.constantFrom('[', '{"order":') })
      .map(({ depth, open }) => open.repeat(depth) + '1' + (open === '[' ? ']' : '}').repeat(depth));
    const anywhere = fc
      .record({
        callIndex: fc.nat({ max: CALLS.length - 1 }),
        pathSeed: fc.nat(),
        leaf: fc.jsonValue({ maxDepth: 3 }),
      })
      .map(({ callIndex, pathSeed, leaf }) => {
        const value: Json = parseLossless(CALLS[callIndex]?.body ?? 'null');
        const all = paths(value);
        return stringify(mutate(value, all[pathSeed % all.length] ?? [], 'replace', leaf)) ?? 'null';
      });
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: CALLS.length - 1 }), fc.oneof(deep, anywhere), async (index, text) => {
        const spec = CALLS[index];
        if (spec !== undefined) await outcome(spec.call, 200, text);
      }),
      { numRuns: 300, seed: 31 },
    );
  });
});
