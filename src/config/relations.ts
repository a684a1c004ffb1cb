// Checks between config values, run once after parsing (TigerBeetle's constants.zig style), and the
// safety refusals: settings that are legal alone but unsafe for production or for live trading.
import type { ParsedConfig } from './schema.js';
import { CHANNEL_NAMES, type ChannelName } from './schema-alerts.js';

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
  ({ alerts: a }) =>
    notAbove('alerts.groupWaitMs', a.groupWaitMs, 'alerts.groupIntervalMs', a.groupIntervalMs),
  ({ alerts: a }) =>
    notAbove('alerts.groupIntervalMs', a.groupIntervalMs, 'alerts.repeatIntervalMs', a.repeatIntervalMs),
  ({ alerts: a }) => {
    const configured = configuredChannels(a.channels);
    const routed = Object.entries(a.routes).flatMap(([severity, names]) =>
      names.map((name) => ({ path: `alerts.routes.${severity}`, name })),
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
  ({ alerts: { channels } }) => {
    const sms = channels.sms;
    if (sms === undefined) return undefined;
    const needed: Record<typeof sms.provider, (keyof typeof sms)[]> = {
      twilio: ['accountSid', 'authToken', 'from'],
      kavenegar: ['apiKey'],
      generic: ['url'],
    };
    return needed[sms.provider]
      .filter((key) => sms[key] === undefined)
      .map((key) => ({
        path: `alerts.channels.sms.${key}`,
        expected: `a value for provider ${sms.provider}`,
        got: 'nothing',
      }));
  },
  ({ alerts: { channels } }) =>
    channels.email !== undefined &&
    (channels.email.user === undefined) !== (channels.email.password === undefined)
      ? { path: 'alerts.channels.email', expected: 'user and password together, or neither', got: 'only one' }
      : undefined,
  ({ engine: e }) =>
    Object.keys(e.maxPositionPerSymbol ?? {})
      .filter((symbol) => !e.allowedSymbols.includes(symbol))
      .map((symbol) => ({
        path: `engine.maxPositionPerSymbol.${symbol}`,
        expected: 'a symbol in engine.allowedSymbols',
        got: symbol,
      })),
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
  (c) =>
    c.env === 'production' &&
    !isLoopback(c.server.host) &&
    c.dashboard.token === undefined &&
    c.dashboard.basicAuth === undefined
      ? {
          path: 'dashboard.token',
          expected: `dashboard.token or dashboard.basicAuth in production when server.host (${c.server.host}) is not loopback`,
          got: 'nothing',
        }
      : undefined,
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

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

function configuredChannels(channels: ParsedConfig['alerts']['channels']): ChannelName[] {
  return CHANNEL_NAMES.filter((name) =>
    name === 'console' ? channels.console.enabled : channels[name] !== undefined,
  );
}
