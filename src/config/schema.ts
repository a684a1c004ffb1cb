// The one schema for all of Keel's configuration. Objects are strict (unknown keys are errors);
// every default is here, with its unit in the name. Profile defaults live in profiles.ts.
import { hostname } from 'node:os';
import { z } from 'zod';
import {
  bool,
  decimalString,
  durationMs,
  hostName,
  httpUrl,
  intRange,
  ipAddress,
  ipOrCidr,
  list,
  oneOf,
  portNumber,
  secret,
  symbol,
  text,
} from './fields.js';
import { alertsSchema } from './schema-alerts.js';
import { anomalySchema } from './schema-anomaly.js';
import { bulkheadsSchema } from './schema-bulkheads.js';
import { nobitexSchema } from './schema-nobitex.js';
import { retentionSchema } from './schema-retention.js';

export const PROFILES = ['development', 'test', 'production'] as const;
export type Profile = (typeof PROFILES)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const ENGINE_MODES = ['RUNNING', 'REDUCING', 'HALTED'] as const;

/** TradingView's published webhook source addresses. */
export const TRADINGVIEW_ADDRESSES = ['52.89.214.238', '34.212.75.30', '54.218.53.128', '52.32.178.7'];

// Every section has defaults for all its fields, so an absent section parses as {}.
const section = <T extends z.core.$ZodLooseShape>(shape: T) => z.strictObject(shape).prefault({} as never);

const serverSchema = section({
  host: text().default('127.0.0.1'),
  /** 0 picks a free port (tests). */
  port: portNumber().default(8080),
  /** In-flight requests and drains get this long after SIGTERM before the process exits, ms. */
  shutdownGraceMs: durationMs().default(10_000),
  /**
   * Unset: the dashboard, API and metrics share the webhook's listener. Set: they get a listener of
   * their own on operatorHost:operatorPort, and the webhook's listener serves only the webhook and probes.
   */
  operatorPort: portNumber().optional(),
  /** Address of the operator listener (with operatorPort). */
  operatorHost: text().default('127.0.0.1'),
  /** Names Keel answers to besides loopback names and the listen addresses (DNS rebinding guard). */
  publicHosts: list(hostName(), { min: 0, max: 32 }).default([]),
  /** A client must send its request headers within this, ms. */
  headersTimeoutMs: intRange(1_000, 300_000).default(10_000),
  /** A client must send its whole request within this, ms (>= headersTimeoutMs). */
  requestTimeoutMs: intRange(1_000, 300_000).default(30_000),
  /** Open connections per listener at most; more are closed at once. */
  connectionsMax: intRange(1, 100_000).default(1_024),
});

const storageSchema = section({
  /** Unset: SQLite at `<dataDir>/keel.db`. `postgres://…` selects PostgreSQL. May hold a password. */
  databaseUrl: secret()
    .refine((url) => /^postgres(ql)?:\/\//.test(url.reveal()), { error: 'postgres:// or postgresql:// URL' })
    .optional(),
  /** SQLite durability: FULL survives power loss; NORMAL survives process crashes only. */
  sqliteSynchronous: oneOf(['FULL', 'NORMAL']).default('FULL'),
  /** PostgreSQL schema (search_path) for every table, created when missing; unset: the server's default. */
  databaseSchema: z
    .string({ error: 'lowercase SQL identifier' })
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: 'lowercase SQL identifier' })
    .optional(),
});

const redisSchema = section({
  /** Unset: breaker state, rate budgets and the trading lease stay in-process. May hold a password. */
  url: secret()
    .refine((url) => /^rediss?:\/\//.test(url.reveal()), { error: 'redis:// or rediss:// URL' })
    .optional(),
  keyPrefix: text().default('keel:'),
});

const webhookSchema = section({
  /** The passphrase every TradingView alert body must carry. Required in production. */
  passphrase: secret().optional(),
  /** When set, requests must also carry an HMAC-SHA256 signature of the body. */
  hmacSecret: secret().optional(),
  /** Refuse webhooks without a valid `X-Keel-Signature` (senders that can sign; TradingView cannot). */
  hmacRequired: bool().default(false),
  /** A signed webhook's `X-Keel-Timestamp` may be this far from now, either way, ms. */
  signatureAgeMaxMs: intRange(1_000, 3_600_000).default(300_000),
  ipAllowList: section({
    enabled: bool().default(false),
    addresses: list(ipAddress(), { min: 1, max: 256 }).default(TRADINGVIEW_ADDRESSES),
  }),
  /** Proxies whose X-Forwarded-For is believed when checking the allow list. */
  trustedProxies: list(ipOrCidr(), { min: 0, max: 64 }).default([]),
  /** Alerts whose timestamp is older than this are rejected as stale, ms. */
  alertAgeMaxMs: durationMs().default(60_000),
  bodySizeBytesMax: intRange(256, 1_048_576).default(65_536),
  readTimeoutMs: durationMs().default(5_000),
  /** A signal that fails processing this many times is quarantined instead of retried. */
  quarantineAttempts: intRange(1, 100).default(5),
});

const engineSchema = section({
  /** Markets Keel may trade (`BTCIRT`); absent = every market the exchange lists as active. */
  allowedSymbols: list(symbol(), { min: 1, max: 500 }).optional(),
  /** Largest single order, per quote currency, as decimal strings (rls = rial). */
  maxOrderValue: section({
    rls: decimalString({ positive: true }).default('500000000'),
    usdt: decimalString({ positive: true }).default('1000'),
  }),
  /** Largest position per symbol in base units; symbols not listed have no position cap. */
  maxPositionPerSymbol: z.record(symbol(), decimalString({ positive: true })).optional(),
  maxOrdersPerMinute: intRange(1, 600).default(10),
  initialMode: oneOf(ENGINE_MODES).default('RUNNING'),
  /** Halt trading when the exchange has failed continuously for this long, ms. */
  haltAfterExchangeFailureMs: durationMs().default(120_000),
  /**
   * A signal older than this (from its alert time) is never traded: it ends rejected (Stale). Checked
   * when the order is decided and again before every placing request. An alert may set its own
   * (`ageMaxMs`). Default 120 000: a market order two minutes late is a different trade, ms.
   */
  signalAgeMaxMs: durationMs().default(120_000),
  /** A signal waits at most this long (from receipt) for an unreachable exchange, then ends rejected, ms. */
  exchangeWaitMaxMs: durationMs().default(300_000),
  /**
   * Longest a signal holds its symbol's queue while its order resolves, ms: a stuck or failing order
   * then goes on in the background and later signals on the symbol go ahead.
   */
  orderHoldMaxMs: durationMs().default(10_000),
  /**
   * How far below its stop an OCO's stop leg sells once triggered (its stopLimitPrice), percent of the
   * stop, when the alert gives no `stopLimitPrice`. Below 100.
   */
  ocoStopLimitPercent: decimalString({ positive: true })
    .refine((value) => /^\d{1,2}(\.\d+)?$/.test(value), { error: 'a percentage below 100 ("1")' })
    .default('1'),
});

const verificationSchema = section({
  /** Submissions of one order, all with the same clientOrderId, only after absence is proven. */
  submitAttemptsMax: intRange(1, 10).default(3),
  /**
   * An order missing from the exchange counts as absent only after this long, ms. It must exceed the
   * longest the exchange may sit on a request before acting on it, or a late order and its resend both exist.
   */
  absenceGraceMs: durationMs().default(30_000),
  pollIntervalMs: durationMs().default(500),
  pollIntervalMaxMs: durationMs().default(5_000),
  /**
   * An order unresolved this long (UNKNOWN, or open past its lifetime with no confirmed cancel) raises
   * a critical "verification overdue" alert that stays until a person acknowledges it, ms.
   */
  verifyDeadlineMs: durationMs().default(120_000),
  /**
   * A filled order whose trades do not add up stays open (its fills unbooked); after this long an
   * error alert names it and the missing amount, ms.
   */
  tradesWaitMaxMs: durationMs().default(30_000),
  /** Pages of Nobitex's trade list (30 trades each, newest first) read per look at one order. */
  tradePagesMax: intRange(1, 100).default(20),
  /** A resting limit order still open after this long is cancelled, ms; an alert's `expiresIn` overrides it. */
  limitOrderLifetimeMs: durationMs().default(120_000),
});

const reconciliationSchema = section({
  intervalMs: durationMs().default(60_000),
  /** Differences up to this per currency are auto-corrected; larger ones are breaches. */
  tolerance: z
    .record(text(), decimalString({ positive: false }), { error: 'object of currency to decimal string' })
    .default({ rls: '10', usdt: '0.01', btc: '0.00000001', eth: '0.0000001' }),
  haltOnBreach: bool().default(true),
});

const loggingSchema = section({
  level: oneOf(LOG_LEVELS).default('info'),
  file: z
    .strictObject({
      path: text(),
      /** Rotate when the file reaches this size. */
      sizeBytesMax: intRange(1_024, 1_073_741_824).default(10_485_760),
      /** Also rotate on a schedule. */
      frequency: oneOf(['daily', 'hourly']).optional(),
      /** Rotated files kept besides the active one. */
      filesMax: intRange(1, 1_000).default(10),
    })
    .optional(),
});

export const configSchema = z.strictObject({
  env: oneOf(PROFILES).default('development'),
  /** paper: orders go to the in-process simulator; live: to Nobitex. */
  mode: oneOf(['paper', 'live']).default('paper'),
  server: serverSchema,
  dataDir: text().default('./data'),
  storage: storageSchema,
  redis: redisSchema,
  nobitex: nobitexSchema,
  webhook: webhookSchema,
  engine: engineSchema,
  verification: verificationSchema,
  reconciliation: reconciliationSchema,
  anomaly: anomalySchema,
  retention: retentionSchema,
  alerts: alertsSchema,
  bulkheads: bulkheadsSchema,
  dashboard: section({
    token: secret().optional(),
    basicAuth: z.strictObject({ user: text(), password: secret() }).optional(),
    /** A dashboard login (session cookie) lasts this long, ms. */
    sessionTtlMs: durationMs().default(43_200_000),
    /** Failed logins from one address within authFailureWindowMs before it gets 429. */
    authFailuresMax: intRange(1, 1_000).default(10),
    authFailureWindowMs: durationMs().default(900_000),
  }),
  logging: loggingSchema,
  simulator: section({
    seed: intRange(0, 2_147_483_647).default(1),
    /**
     * The paper account's opening balances (currency: decimal string), like a real retail account's,
     * so `percent` sizing fits engine.maxOrderValue. Only a new paper account takes them.
     */
    paperBalances: z
      .record(
        z.string().regex(/^[a-z0-9][a-z0-9_]{0,19}$/, { error: 'currency code (btc)' }),
        decimalString({ positive: false }),
      )
      .default({ rls: '5000000000', usdt: '5000', btc: '0.1', eth: '2' }),
    port: portNumber().default(8090),
    /** Multiplies the simulator's rate limits; 0.1 makes 429s ten times likelier. */
    rateLimitScale: z
      .number({ error: 'number in (0, 1000]' })
      .positive({ error: 'number in (0, 1000]' })
      .max(1_000, { error: 'number in (0, 1000]' })
      .default(1),
    /**
     * Paper trading on live prices (`keel start --paper-live`): the paper exchange takes its markets,
     * books and prices from the public endpoints at nobitex.baseUrls; no credentials are used.
     */
    liveMarketData: bool().default(false),
  }),
  tracing: section({
    /** OTLP/HTTP traces URL (`http://collector:4318/v1/traces`); unset: tracing off, no SDK loaded. */
    otlpEndpoint: httpUrl().optional(),
  }),
  cluster: section({
    instanceId: text().default(() => `${hostname()}-${process.pid}`),
    /** The trading lease expires this long after its last renewal, ms. */
    leaseTtlMs: durationMs().default(15_000),
    leaseRenewIntervalMs: durationMs().default(5_000),
    /** Instances sharing the rate budgets; each spends limit / this while Redis is away. */
    expectedInstances: intRange(1, 100).default(1),
  }),
});

export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
