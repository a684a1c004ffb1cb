// Checks between config values, run once after parsing (TigerBeetle's constants.zig style), and the
// safety refusals: settings that are legal alone but unsafe for production or for live trading.
import type { ParsedConfig } from './schema.js';
import type { ChannelConfig } from './schema-alerts.js';
import { isSecret } from './secret.js';

/** A violated relation; the loader adds the source of `path`. */
export interface Violation {
  readonly path: string;
  readonly expected: string;
  readonly got: string;
}

type Check = (config: ParsedConfig) => Violation | Violation[] | undefined;

const notAbove = (path: string, value: number, limitPath: string, limit: number): Violation | undefined =>
  value <= limit ? undefined : { path, expected: `<= ${limitPath} (${limit})`, got: String(value) };

const below = (path: string, value: number, limitPath: string, limit: number): Violation | undefined =>
  value < limit ? undefined : { path, expected: `< ${limitPath} (${limit})`, got: String(value) };

const RELATIONS: readonly Check[] = [
  ({ webhook: w }) =>
    w.hmacRequired && w.hmacSecret === undefined
      ? {
          path: 'webhook.hmacRequired',
          expected: 'webhook.hmacSecret set (KEEL_WEBHOOK_HMAC_SECRET)',
          got: 'true',
        }
      : undefined,
  ({ verification: v }) =>
    notAbove(
      'verification.pollIntervalMs',
      v.pollIntervalMs,
      'verification.pollIntervalMaxMs',
      v.pollIntervalMaxMs,
    ),
  ({ verification: v }) =>
    below(
      'verification.pollIntervalMaxMs',
      v.pollIntervalMaxMs,
      'verification.verifyDeadlineMs',
      v.verifyDeadlineMs,
    ),
  ({ verification: v }) =>
    below(
      'verification.absenceGraceMs',
      v.absenceGraceMs,
      'verification.verifyDeadlineMs',
      v.verifyDeadlineMs,
    ),
  // Every submission may take a full request before the order is verified; all must fit the deadline.
  ({ verification: v, nobitex: n }) => {
    const requestMs = n.connectTimeoutMs + n.headersTimeoutMs + n.bodyTimeoutMs;
    const totalMs = v.submitAttemptsMax * requestMs;
    return totalMs < v.verifyDeadlineMs
      ? undefined
      : {
          path: 'verification.verifyDeadlineMs',
          expected: `> submitAttemptsMax × (connect + headers + body timeouts) = ${totalMs}`,
          got: String(v.verifyDeadlineMs),
        };
  },
  ({ nobitex: n }) =>
    notAbove(
      'nobitex.retry.delayInitialMs',
      n.retry.delayInitialMs,
      'nobitex.retry.delayMaxMs',
      n.retry.delayMaxMs,
    ),
  ({ nobitex: n }) =>
    notAbove(
      'nobitex.websocket.reconnectDelayMinMs',
      n.websocket.reconnectDelayMinMs,
      'nobitex.websocket.reconnectDelayMaxMs',
      n.websocket.reconnectDelayMaxMs,
    ),
  ({ nobitex: n }) =>
    (['orders', 'account', 'marketData'] as const).flatMap((group) => {
      const b = n.breaker[group];
      const path = `nobitex.breaker.${group}`;
      return (
        notAbove(
          `${path}.breakDurationMs`,
          b.breakDurationMs,
          `${path}.breakDurationMaxMs`,
          b.breakDurationMaxMs,
        ) ?? []
      );
    }),
  // The breaker must get a chance to probe before the engine gives up on the exchange.
  ({ engine: e, nobitex: n }) =>
    n.breaker.orders.breakDurationMs < e.haltAfterExchangeFailureMs
      ? undefined
      : {
          path: 'engine.haltAfterExchangeFailureMs',
          expected: `> nobitex.breaker.orders.breakDurationMs (${n.breaker.orders.breakDurationMs})`,
          got: String(e.haltAfterExchangeFailureMs),
        },
  ({ nobitex: n }) =>
    n.proxy === undefined || isSecret(n.proxy)
      ? undefined
      : Object.keys(n.proxy)
          .filter((url) => !n.baseUrls.includes(url))
          .map((url) => ({
            path: `nobitex.proxy.${url}`,
            expected: `a base URL of nobitex.baseUrls (${n.baseUrls.join(', ')})`,
            got: url,
          })),
  ({ alerts: a }) =>
    notAbove('alerts.groupWaitMs', a.groupWaitMs, 'alerts.groupIntervalMs', a.groupIntervalMs),
  ({ alerts: a }) =>
    notAbove('alerts.groupIntervalMs', a.groupIntervalMs, 'alerts.repeatIntervalMs', a.repeatIntervalMs),
  ({ alerts: a }) => {
    const configured = configuredChannels(a.channels);
    const routed = Object.entries(a.routes).flatMap(([severity, names]) =>
      (names ?? []).map((name) => ({ path: `alerts.routes.${severity}`, name })),
    );
    if (a.escalation.channel !== undefined)
      routed.push({ path: 'alerts.escalation.channel', name: a.escalation.channel });
    return routed
      .filter(({ name }) => !configured.includes(name))
      .map(({ path, name }) => ({
        path,
        expected: `configured channels only (${configured.join(', ') || 'none'})`,
        got: JSON.stringify(name),
      }));
  },
  ({ alerts: { channels } }) =>
    channelsOf(channels, 'sms').flatMap(([name, sms]) => {
      const needed: Record<typeof sms.provider, (keyof typeof sms)[]> = {
        twilio: ['accountSid', 'authToken', 'from'],
        kavenegar: ['apiKey'],
        generic: ['url'],
      };
      return needed[sms.provider]
        .filter((key) => sms[key] === undefined)
        .map((key) => ({
          path: `alerts.channels.${name}.${key}`,
          expected: `a value for provider ${sms.provider}`,
          got: 'nothing',
        }));
    }),
  ({ alerts: { channels } }) =>
    channelsOf(channels, 'email')
      .filter(([, email]) => (email.user === undefined) !== (email.password === undefined))
      .map(([name]) => ({
        path: `alerts.channels.${name}`,
        expected: 'user and password together, or neither',
        got: 'only one',
      })),
  // Two channels polling one bot would steal each other's updates.
  ({ alerts: { channels } }) => {
    const seen = new Map<string, string>();
    const violations: Violation[] = [];
    for (const kind of ['telegram', 'bale'] as const)
      for (const [name, bot] of channelsOf(channels, kind)) {
        if (bot.commands === undefined) continue;
        const key = `${bot.apiBaseUrl} ${bot.botToken.reveal()}`;
        const other = seen.get(key);
        if (other !== undefined)
          violations.push({
            path: `alerts.channels.${name}.commands`,
            expected: `commands on one channel per bot (${other} already polls this bot)`,
            got: 'a second poller',
          });
        seen.set(key, name);
      }
    return violations;
  },
  ({ engine: e }) =>
    Object.keys(e.maxPositionPerSymbol ?? {})
      .filter((symbol) => e.allowedSymbols !== undefined && !e.allowedSymbols.includes(symbol))
      .map((symbol) => ({
        path: `engine.maxPositionPerSymbol.${symbol}`,
        expected: 'a symbol in engine.allowedSymbols',
        got: symbol,
      })),
  // Live market data feeds the paper exchange: live mode has no paper exchange to feed.
  (c) =>
    c.simulator.liveMarketData && c.mode !== 'paper'
      ? {
          path: 'simulator.liveMarketData',
          expected: 'false unless mode is paper',
          got: `true with mode ${c.mode}`,
        }
      : undefined,
  // An alert the intake accepts must not be stale on arrival.
  ({ webhook: w, engine: e }) =>
    below('webhook.alertAgeMaxMs', w.alertAgeMaxMs, 'engine.signalAgeMaxMs', e.signalAgeMaxMs),
  // A placing request leaves only while the lease outlasts it: between renewals at least
  // leaseTtlMs - leaseRenewIntervalMs is left, and that must exceed one orders request.
  ({ storage, redis, cluster: c, nobitex: n }) =>
    storage.databaseUrl === undefined && redis.url === undefined
      ? undefined
      : below(
          'nobitex.ordersTimeoutMs',
          n.ordersTimeoutMs,
          'cluster.leaseTtlMs - cluster.leaseRenewIntervalMs',
          c.leaseTtlMs - c.leaseRenewIntervalMs,
        ),
  // Renewing at least twice per TTL means one lost renewal does not cost the lease.
  ({ cluster: c }) =>
    notAbove(
      'cluster.leaseRenewIntervalMs',
      c.leaseRenewIntervalMs,
      'cluster.leaseTtlMs / 2',
      Math.floor(c.leaseTtlMs / 2),
    ),
  ({ server: s }) =>
    notAbove('server.headersTimeoutMs', s.headersTimeoutMs, 'server.requestTimeoutMs', s.requestTimeoutMs),
  ({ server: s }) =>
    s.operatorPort !== undefined && s.operatorPort !== 0 && s.operatorPort === s.port
      ? {
          path: 'server.operatorPort',
          expected: `a port other than server.port (${s.port})`,
          got: String(s.port),
        }
      : undefined,
  ({ server, simulator }) =>
    server.port !== 0 && server.port === simulator.port
      ? {
          path: 'simulator.port',
          expected: `a port other than server.port (${server.port})`,
          got: String(simulator.port),
        }
      : undefined,
];

const SAFETY: readonly Check[] = [
  (c) =>
    c.env === 'production' && c.webhook.passphrase === undefined
      ? {
          path: 'webhook.passphrase',
          expected: 'a passphrase in production (KEEL_WEBHOOK_PASSPHRASE)',
          got: 'nothing',
        }
      : undefined,
  // The webhook's listener is reached from the Internet (through a proxy: TradingView calls only 80
  // and 443), so an operator surface sharing it, or on any non-loopback address, needs credentials.
  (c) =>
    c.env === 'production' &&
    c.dashboard.token === undefined &&
    c.dashboard.basicAuth === undefined &&
    !(c.server.operatorPort !== undefined && isLoopback(c.server.operatorHost))
      ? {
          path: 'dashboard.token',
          expected:
            'dashboard.token or dashboard.basicAuth in production (KEEL_DASHBOARD_TOKEN), unless the dashboard, API and metrics have a loopback listener of their own (KEEL_OPERATOR_PORT): the webhook listener is reachable through a proxy',
          got: 'nothing',
        }
      : undefined,
  (c) =>
    c.env !== 'production'
      ? undefined
      : secretsOf(c)
          .filter(({ value }) => value.length < SECRET_LENGTH_MIN)
          .map(({ path, value }) => ({
            path,
            expected: `at least ${SECRET_LENGTH_MIN} characters in production; generate one with \`openssl rand -base64 32\``,
            got: `${value.length} characters`,
          })),
  (c) =>
    c.mode === 'live' && c.nobitex.token === undefined && c.nobitex.apiKey === undefined
      ? {
          path: 'nobitex.token',
          expected:
            'nobitex.token or nobitex.apiKey when mode is live (KEEL_NOBITEX_TOKEN, or KEEL_NOBITEX_API_KEY and KEEL_NOBITEX_API_SECRET)',
          got: 'nothing',
        }
      : undefined,
];

/** Relations and safety refusals, in a stable order. */
export function checkConfig(config: ParsedConfig): Violation[] {
  return [...RELATIONS, ...SAFETY].flatMap((check) => check(config) ?? []);
}

/** Shortest passphrase, token, password or signing key production accepts. */
export const SECRET_LENGTH_MIN = 24;

function secretsOf(c: ParsedConfig): { path: string; value: string }[] {
  const found: { path: string; value: string }[] = [];
  const add = (path: string, secret: { reveal(): string } | undefined) => {
    if (secret !== undefined) found.push({ path, value: secret.reveal() });
  };
  add('webhook.passphrase', c.webhook.passphrase);
  add('webhook.hmacSecret', c.webhook.hmacSecret);
  add('dashboard.token', c.dashboard.token);
  add('dashboard.basicAuth.password', c.dashboard.basicAuth?.password);
  return found;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

function configuredChannels(channels: ParsedConfig['alerts']['channels']): string[] {
  return Object.entries(channels)
    .filter(([, channel]) => channel.kind !== 'console' || channel.enabled)
    .map(([name]) => name);
}

function channelsOf<K extends ChannelConfig['kind']>(
  channels: Readonly<Record<string, ChannelConfig>>,
  kind: K,
): [string, Extract<ChannelConfig, { kind: K }>][] {
  return Object.entries(channels).filter(
    (entry): entry is [string, Extract<ChannelConfig, { kind: K }>] => entry[1].kind === kind,
  );
}
