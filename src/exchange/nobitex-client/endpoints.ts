// Per-endpoint metadata: the rate limiter, breakers and retry policy of the adapter read this table.
// Limits are the documented ones (reference 7.4, Nov 2025); Nobitex may lower them under load.
import type { EndpointGroup, RequestPriority } from '../connection-pool/transport.js';

export interface EndpointRateLimit {
  /** Budget key: endpoints sharing a key share one budget (all order placement shares one). */
  readonly key: string;
  readonly limit: number;
  readonly windowMs: number;
  /** False when Nobitex documents no limit and this is a conservative assumption. */
  readonly documented: boolean;
}

export interface NobitexEndpoint {
  readonly method: 'GET' | 'POST';
  /** Path template; `{symbol}` is the `BTCIRT` form. */
  readonly path: string;
  readonly group: EndpointGroup;
  readonly priority: RequestPriority;
  /** True when sending it twice cannot have a second effect: only these may be retried blindly. */
  readonly idempotent: boolean;
  readonly auth: boolean;
  readonly rateLimit: EndpointRateLimit;
}

const MINUTE_MS = 60_000;
const limit = (key: string, count: number, windowMs: number, documented = true): EndpointRateLimit => ({
  key,
  limit: count,
  windowMs,
  documented,
});

export const NOBITEX_ENDPOINTS = {
  orderBook: {
    method: 'GET',
    path: '/v3/orderbook/{symbol}',
    group: 'marketData',
    priority: 'low',
    idempotent: true,
    auth: false,
    rateLimit: limit('orderBook', 300, MINUTE_MS),
  },
  recentTrades: {
    method: 'GET',
    path: '/v2/trades/{symbol}',
    group: 'marketData',
    priority: 'low',
    idempotent: true,
    auth: false,
    rateLimit: limit('recentTrades', 60, MINUTE_MS),
  },
  marketStats: {
    method: 'GET',
    path: '/market/stats',
    group: 'marketData',
    priority: 'low',
    idempotent: true,
    auth: false,
    rateLimit: limit('marketStats', 20, MINUTE_MS),
  },
  // No documented limit; HB assumes 300/min, we budget less.
  ohlc: {
    method: 'GET',
    path: '/market/udf/history',
    group: 'marketData',
    priority: 'low',
    idempotent: true,
    auth: false,
    rateLimit: limit('ohlc', 60, MINUTE_MS, false),
  },
  options: {
    method: 'GET',
    path: '/v2/options',
    group: 'marketData',
    priority: 'low',
    idempotent: true,
    auth: false,
    rateLimit: limit('options', 10, MINUTE_MS, false),
  },
  // Shared by spot, margin and batch placement, counted per order.
  placeOrder: {
    method: 'POST',
    path: '/market/orders/add',
    group: 'orders',
    priority: 'high',
    idempotent: false,
    auth: true,
    rateLimit: limit('orderPlacement', 300, 10 * MINUTE_MS),
  },
  orderStatus: {
    method: 'POST',
    path: '/market/orders/status',
    group: 'orders',
    priority: 'normal',
    idempotent: true,
    auth: true,
    rateLimit: limit('orderStatus', 300, MINUTE_MS),
  },
  listOrders: {
    method: 'GET',
    path: '/market/orders/list',
    group: 'orders',
    priority: 'normal',
    idempotent: true,
    auth: true,
    rateLimit: limit('listOrders', 30, MINUTE_MS),
  },
  cancelOrder: {
    method: 'POST',
    path: '/market/orders/update-status',
    group: 'orders',
    priority: 'high',
    idempotent: false,
    auth: true,
    rateLimit: limit('updateStatus', 90, MINUTE_MS),
  },
  cancelOld: {
    method: 'POST',
    path: '/market/orders/cancel-old',
    group: 'orders',
    priority: 'high',
    idempotent: false,
    auth: true,
    rateLimit: limit('cancelOld', 30, MINUTE_MS),
  },
  userTrades: {
    method: 'GET',
    path: '/market/trades/list',
    group: 'account',
    priority: 'normal',
    idempotent: true,
    auth: true,
    rateLimit: limit('userTrades', 30, MINUTE_MS),
  },
  wallets: {
    method: 'GET',
    path: '/users/wallets/list',
    group: 'account',
    priority: 'normal',
    idempotent: true,
    auth: true,
    rateLimit: limit('wallets', 20, 2 * MINUTE_MS),
  },
  walletsV2: {
    method: 'GET',
    path: '/v2/wallets',
    group: 'account',
    priority: 'normal',
    idempotent: true,
    auth: true,
    rateLimit: limit('walletsV2', 15, MINUTE_MS),
  },
  profile: {
    method: 'GET',
    path: '/users/profile',
    group: 'account',
    priority: 'normal',
    idempotent: true,
    auth: true,
    rateLimit: limit('profile', 10, MINUTE_MS, false),
  },
  /** The Centrifugo connection token for the private channels (reference 2.3); trailing slash required. */
  wsToken: {
    method: 'GET',
    path: '/auth/ws/token/',
    group: 'account',
    priority: 'normal',
    idempotent: true,
    auth: true,
    rateLimit: limit('wsToken', 10, MINUTE_MS, false),
  },
} as const satisfies Record<string, NobitexEndpoint>;

export type NobitexEndpointName = keyof typeof NOBITEX_ENDPOINTS;

/** `POST /market/orders/add`: the label errors carry. */
const ENDPOINT_LABELS = Object.fromEntries(
  Object.entries(NOBITEX_ENDPOINTS).map(([name, endpoint]) => [name, `${endpoint.method} ${endpoint.path}`]),
) as Readonly<Record<NobitexEndpointName, string>>;

/** `POST /market/orders/status`: made once per endpoint, read on every call. */
export const endpointLabel = (name: NobitexEndpointName): string => ENDPOINT_LABELS[name];

/** Which endpoint each client method calls, so callers can read idempotency and limits by method. */
export const NOBITEX_METHOD_ENDPOINTS = {
  getOrderBook: 'orderBook',
  getRecentTrades: 'recentTrades',
  getMarketStats: 'marketStats',
  getOhlc: 'ohlc',
  getOptions: 'options',
  placeOrder: 'placeOrder',
  getOrderStatus: 'orderStatus',
  listOrders: 'listOrders',
  cancelOrder: 'cancelOrder',
  cancelOld: 'cancelOld',
  listUserTrades: 'userTrades',
  getWallets: 'wallets',
  getWalletsV2: 'walletsV2',
  getProfile: 'profile',
  getWsToken: 'wsToken',
} as const satisfies Record<string, NobitexEndpointName>;

export const isIdempotentMethod = (method: keyof typeof NOBITEX_METHOD_ENDPOINTS): boolean =>
  NOBITEX_ENDPOINTS[NOBITEX_METHOD_ENDPOINTS[method]].idempotent;
