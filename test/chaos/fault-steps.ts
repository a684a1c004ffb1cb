// Fault and balance-drift steps of a scenario: every kind of simulator chaos, scoped to the paths the
// Nobitex client really calls, each bounded by a count and a window so a scenario always calms down.
import { chance, pick, type Rng, randomInt } from '../../src/core/random.js';
import type { FaultSpec, Step } from './scenario.js';

const ORDER_PATHS = [
  '/market/orders/add',
  '/market/orders/add',
  '/market/orders/status',
  '/market/orders/list',
  '/market/orders/update-status',
  '/market/trades/list',
  '*',
];
/** Only calls carrying the token can be refused for it. */
const PRIVATE_PATHS = [
  '/market/orders/add',
  '/market/orders/status',
  '/market/trades/list',
  '/users/wallets/list',
];
const ANY_PATHS = [
  ...ORDER_PATHS,
  '/users/wallets/list',
  '/v2/wallets',
  '/v3/orderbook/*',
  '/market/stats',
  '/v2/options',
];

/** Faults that let the request act on the exchange and then spoil the answer. */
const ORDER_PLACING_KINDS: ReadonlySet<string> = new Set(['commitThenFail', 'proxyReject']);

export function faultStep(rng: Rng): Step {
  const kind = pick(rng, [
    'latency',
    'error',
    'reset',
    'hang',
    'commitThenFail',
    'commitThenFail',
    'commitThenFail',
    'reset',
    'hang',
    'rateLimitStorm',
    'outage',
    'staleOrderbook',
    'drift',
    'proxyReject',
    'splitTrades',
    'authFailure',
  ] as const);
  const common = {
    path: ORDER_PLACING_KINDS.has(kind)
      ? pick(rng, ['/market/orders/add', '/market/orders/update-status'])
      : kind === 'splitTrades'
        ? '/market/orders/add'
        : kind === 'authFailure'
          ? pick(rng, PRIVATE_PATHS)
          : pick(rng, ANY_PATHS),
    probability: pick(rng, [0.3, 0.6, 1]),
    countMax: randomInt(rng, 1, 8),
  };
  const startInMs = pick(rng, [0, 0, 500, 2_000]);
  const durationMs = pick(rng, [1_000, 5_000, 20_000, 60_000]);
  const rule = faultRule(rng, kind, common);
  return { kind: 'fault', rule, startInMs, durationMs };
}

function faultRule(
  rng: Rng,
  kind: FaultSpec['kind'],
  common: { path: string; probability: number; countMax: number },
): FaultSpec {
  const status = pick(rng, [500, 502, 503, 504] as const);
  switch (kind) {
    case 'latency':
      return { kind, ...common, latencyMs: pick(rng, [50, 500, 3_000, 8_000]), jitterMs: 100 };
    case 'error':
      return { kind, ...common, status };
    case 'commitThenFail':
      return { kind, ...common, failWith: pick(rng, ['error', 'reset', 'hang'] as const), status };
    case 'proxyReject':
      return {
        kind,
        ...common,
        status: pick(rng, [400, 400, 422] as const),
        body: pick(rng, ['html', 'json'] as const),
      };
    case 'splitTrades':
      // Past one page of trades (30) as well as a few pieces.
      return { kind, ...common, pieces: pick(rng, [2, 7, 31, 45]) };
    case 'rateLimitStorm':
      return { kind, ...common, backOffSeconds: randomInt(rng, 1, 20), limit: 5 };
    case 'outage':
      return { kind, path: '*', mode: pick(rng, ['503', 'reset'] as const) };
    case 'drift':
      return {
        kind,
        currency: pick(rng, ['rls', 'btc', 'usdt']),
        // Mostly within tolerance (corrected quietly); one in four is a breach that must halt.
        delta: chance(rng, 0.75) ? pick(rng, ['0.000000001', '3', '-4']) : pick(rng, ['-0.5', '25']),
      };
    case 'wsStall':
      return { kind, ...common, stallMs: pick(rng, [1_000, 5_000]) };
    default:
      return { kind, ...common };
  }
}

export function balanceStep(rng: Rng): Step {
  const within = [
    ['rls', '5'],
    ['rls', '-7'],
    ['btc', '0.000000001'],
    ['usdt', '0.005'],
  ] as const;
  const beyond = [
    ['rls', '1000000'],
    ['eth', '-0.01'],
  ] as const;
  const [currency, delta] = chance(rng, 0.75) ? pick(rng, within) : pick(rng, beyond);
  return { kind: 'setBalance', currency, delta };
}
