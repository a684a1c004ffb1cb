// The exchange section: endpoints, credentials, timeouts, pools, breakers, retry and cache TTLs.
import { z } from 'zod';
import { bool, durationMs, httpUrl, intRange, list, oneOf, proxySetting, secret, text } from './fields.js';
import { breakerSchema } from './schema-breaker.js';
import { KEEL_VERSION } from './version.js';

/** Nobitex's API address per network (reference §1): the testnet trades play money. */
export const NOBITEX_NETWORK_URLS = {
  mainnet: 'https://apiv2.nobitex.ir',
  testnet: 'https://testnetapiv2.nobitex.ir',
} as const;

/** A ws:// or wss:// URL. */
const wsUrl = () =>
  text().refine(
    (value) => {
      try {
        const url = new URL(value);
        return url.protocol === 'wss:' || url.protocol === 'ws:';
      } catch {
        return false;
      }
    },
    { error: 'ws(s) URL' },
  );

/** Fills pushed over Nobitex's WebSocket (Centrifugo private channels) instead of only polled. */
const websocketSchema = z
  .strictObject({
    /** Subscribe to the private order and trade channels; polling stays the fallback. Default false. */
    enabled: bool().default(false),
    /** Nobitex's WebSocket in live mode; paper mode uses the built-in simulator's. */
    url: wsUrl().default('wss://ws.nobitex.ir/connection/websocket'),
    /** Status poll interval per open order while the socket is up (polls are then a safety net), ms. */
    pollIntervalMs: durationMs().default(10_000),
    /** Shortest and longest wait between reconnection attempts, ms. */
    reconnectDelayMinMs: durationMs().default(500),
    reconnectDelayMaxMs: durationMs().default(20_000),
    /** Silence past the server's ping period after which the socket counts as stalled and is rebuilt, ms. */
    pingDelayMaxMs: durationMs().default(10_000),
    /** Bound on connecting and on each command reply, ms. */
    timeoutMs: durationMs().default(5_000),
  })
  .prefault({});

export const nobitexSchema = z
  .strictObject({
    /** Which Nobitex: `mainnet` (real money) or `testnet`; picks the default base URL. */
    network: oneOf(['mainnet', 'testnet']).default('mainnet'),
    /** Base URLs tried in order of health; the first is preferred. Default: the network's address. */
    baseUrls: list(httpUrl(), { min: 1, max: 8 }).optional(),
    /**
     * Proxy to Nobitex: one setting for every base URL, or an object of base URL to setting (base URLs
     * left out follow HTTPS_PROXY / NO_PROXY). A setting is `direct` or an http(s):// or socks5:// URL.
     * The WebSocket (nobitex.websocket) takes the same way: the one setting, or the first base URL's.
     */
    proxy: z
      .union([proxySetting(), z.record(httpUrl(), proxySetting())], {
        error: 'proxy URL or "direct", or an object of base URL to one',
      })
      .optional(),
    /** Session token for the `Authorization: Token …` header. */
    token: secret().optional(),
    /** API key pair, an alternative to the token. Both halves are secrets. */
    apiKey: z.strictObject({ publicKey: secret(), privateKey: secret() }).optional(),
    /** Nobitex requires a TraderBot/… user agent for bots. */
    userAgent: text().default(`TraderBot/keel-${KEEL_VERSION}`),
    connectTimeoutMs: durationMs().default(5_000),
    headersTimeoutMs: durationMs().default(10_000),
    bodyTimeoutMs: durationMs().default(10_000),
    /**
     * One attempt at an orders call (place, status, list, cancel) is abandoned after this long, ms.
     * A placing request leaves only while the trading lease has more than this left.
     */
    ordersTimeoutMs: durationMs().default(8_000),
    /**
     * One breaker per endpoint group, so failing market data never blocks order placement; each has a
     * `kind` (when it opens) and that kind's parameters (schema-breaker.ts).
     */
    breaker: z
      .strictObject({ orders: breakerSchema, account: breakerSchema, marketData: breakerSchema })
      .prefault({}),
    retry: z
      .strictObject({
        /** Attempts in total, including the first; only for calls the error table marks safe. */
        attemptsMax: intRange(1, 10).default(3),
        delayInitialMs: durationMs().default(200),
        delayMaxMs: durationMs().default(5_000),
      })
      .prefault({}),
    cache: z
      .strictObject({
        marketDataTtlMs: durationMs().default(2_000),
        optionsTtlMs: durationMs().default(3_600_000),
        walletsTtlMs: durationMs().default(5_000),
        /** How long past its TTL a value may still be served while the exchange fails, ms. */
        staleMaxMs: durationMs().default(60_000),
      })
      .prefault({}),
    websocket: websocketSchema,
  })
  .transform((nobitex) => ({
    ...nobitex,
    baseUrls: nobitex.baseUrls ?? [NOBITEX_NETWORK_URLS[nobitex.network]],
  }))
  .prefault({});
