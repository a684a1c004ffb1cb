// The exchange section: endpoints, credentials, timeouts, pools, breakers, retry and cache TTLs.
import { z } from 'zod';
import { bool, durationMs, httpUrl, intRange, list, proxySetting, secret, text } from './fields.js';
import { KEEL_VERSION } from './version.js';

const breakerSchema = z
  .strictObject({
    /** Consecutive failures that open the breaker. */
    failureThreshold: intRange(1, 1_000).default(5),
    /** How long the breaker stays open before letting a probe through, ms. */
    breakDurationMs: durationMs().default(30_000),
    /** Upper bound when the break duration grows after failed probes, ms. */
    breakDurationMaxMs: durationMs().default(300_000),
    /** Probes allowed at once while half-open. */
    halfOpenProbesMax: intRange(1, 100).default(1),
    /** A failure rate at or above this over failureRateWindowMs also opens the breaker, in (0, 1]. */
    failureRateThreshold: z
      .number({ error: 'number in (0, 1]' })
      .positive({ error: 'number in (0, 1]' })
      .max(1, { error: 'number in (0, 1]' })
      .default(0.5),
    /** Window of the failure rate, ms (a multiple of 10): failures spread out between successes count. */
    failureRateWindowMs: durationMs()
      .refine((ms) => ms % 10 === 0, { error: 'positive integer, a multiple of 10' })
      .default(300_000),
    /** Calls the window must hold before the failure rate may open the breaker. */
    failureRateCallsMin: intRange(1, 1_000).default(6),
  })
  .prefault({});

const connectionsMax = () => intRange(1, 64);

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
    /** Base URLs tried in order of health; the first is preferred. */
    baseUrls: list(httpUrl(), { min: 1, max: 8 }).default(['https://apiv2.nobitex.ir']),
    /**
     * Proxy to Nobitex: one setting for every base URL, or an object of base URL to setting (base URLs
     * left out follow HTTPS_PROXY / NO_PROXY). A setting is `direct` or an http(s):// or socks5:// URL.
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
    /** Connections per endpoint group and origin. */
    connections: z
      .strictObject({
        orders: connectionsMax().default(4),
        account: connectionsMax().default(2),
        marketData: connectionsMax().default(4),
      })
      .prefault({}),
    /** Requests that may wait for a free connection, per group; more are rejected at once. */
    queueMax: intRange(1, 10_000).default(100),
    /** One breaker per endpoint group, so failing market data never blocks order placement. */
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
  .prefault({});
