// The alerts section: grouping and repetition timing, routes by severity, and the channels. Channels are
// a map from a name the operator chooses to a channel with a `kind`; routes and escalation name channels.
// A channel named after a kind may leave `kind` out (the keys of before: `telegram`, `email`, …).
import { z } from 'zod';
import {
  bool,
  durationMs,
  httpUrl,
  intRange,
  list,
  oneOf,
  portNumber,
  proxySetting,
  secret,
  secretHttpUrl,
  text,
} from './fields.js';
import type { DeepReadonly } from './freeze.js';

export const CHANNEL_KINDS = ['console', 'email', 'sms', 'telegram', 'bale', 'webhook'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];
export const ALERT_SEVERITIES = ['info', 'warning', 'error', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];
/** Default Bot API addresses of the messenger kinds. */
export const BOT_API_BASE_URLS = {
  telegram: 'https://api.telegram.org',
  bale: 'https://tapi.bale.ai',
} as const;

const CHANNEL_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;
const channelName = () =>
  z
    .string({ error: 'channel name (a-z, 0-9, _ and -, up to 32)' })
    .regex(CHANNEL_NAME_PATTERN, { error: 'channel name (a-z, 0-9, _ and -, up to 32)' });
const channelList = () => list(channelName(), { min: 0, max: 32 });

const consoleSchema = z.strictObject({ kind: z.literal('console'), enabled: bool().default(true) });

const emailSchema = z.strictObject({
  kind: z.literal('email'),
  host: text(),
  port: portNumber().default(587),
  /** TLS from the first byte (port 465); false means STARTTLS when offered. */
  secure: bool().default(false),
  /** Refuse to send (or log in) without TLS. Unset: on, unless host is loopback. */
  requireTls: bool().optional(),
  user: text().optional(),
  password: secret().optional(),
  from: text(),
  to: list(text(), { min: 1, max: 50 }),
  timeoutMs: durationMs().default(10_000),
  /** Proxy to the SMTP server (http(s):// CONNECT or socks5://); unset follows ALL_PROXY / NO_PROXY. */
  proxy: proxySetting().optional(),
});

const smsSchema = z.strictObject({
  kind: z.literal('sms'),
  provider: oneOf(['twilio', 'kavenegar', 'generic']),
  /** Endpoint for the generic provider; the others have a built-in default. */
  url: httpUrl().optional(),
  accountSid: text().optional(),
  authToken: secret().optional(),
  apiKey: secret().optional(),
  from: text().optional(),
  to: list(text(), { min: 1, max: 20 }),
  timeoutMs: durationMs().default(10_000),
  /** Proxy for the provider's API; unset follows HTTPS_PROXY / NO_PROXY. */
  proxy: proxySetting().optional(),
});

const commandsSchema = z.strictObject({
  /** Chats whose commands are obeyed; messages from any other chat are ignored and logged. */
  chatIds: list(text(), { min: 1, max: 20 }),
  /** How long one getUpdates long poll waits for a message, s. */
  pollTimeoutS: intRange(1, 50).default(25),
});

const botSchema = <K extends 'telegram' | 'bale'>(kind: K) =>
  z.strictObject({
    kind: z.literal(kind),
    botToken: secret(),
    chatIds: list(text(), { min: 1, max: 20 }),
    apiBaseUrl: httpUrl().default(BOT_API_BASE_URLS[kind]),
    timeoutMs: durationMs().default(10_000),
    /** Proxy for the Bot API; unset follows HTTPS_PROXY / NO_PROXY. */
    proxy: proxySetting().optional(),
    /** Accept commands (/status, /halt, …) from these chats; unset: alerts only. */
    commands: commandsSchema.optional(),
  });

const webhookChannelSchema = z.strictObject({
  kind: z.literal('webhook'),
  /** Slack and Discord webhook URLs carry their token, so the URL is a secret. */
  url: secretHttpUrl(),
  format: oneOf(['json', 'slack', 'discord']).default('json'),
  /** Extra request headers; values are secrets (often an Authorization header). */
  headers: z.record(text(), secret(), { error: 'object of header name to string' }).default({}),
  timeoutMs: durationMs().default(10_000),
  /** Proxy for the webhook's host; unset follows HTTPS_PROXY / NO_PROXY. */
  proxy: proxySetting().optional(),
});

const channelSchema = z.discriminatedUnion(
  'kind',
  [consoleSchema, emailSchema, smsSchema, botSchema('telegram'), botSchema('bale'), webhookChannelSchema],
  { error: `channel with a kind: one of ${CHANNEL_KINDS.map((kind) => JSON.stringify(kind)).join(', ')}` },
);

/**
 * A channel named after a kind takes that kind when it gives none; a console channel is there unless
 * one is configured (disable it with `"console": {"enabled": false}`).
 */
function withKinds(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(input)) {
    const inferable =
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      !('kind' in value) &&
      (CHANNEL_KINDS as readonly string[]).includes(name);
    out[name] = inferable ? { kind: name, ...value } : value;
  }
  const hasConsole = Object.values(out).some(
    (value) =>
      typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'console',
  );
  if (!hasConsole && !('console' in out)) out['console'] = { kind: 'console' };
  return out;
}

export const alertsSchema = z
  .strictObject({
    /** The same alert (same key) within this window is counted, not sent again, ms. */
    dedupWindowMs: durationMs().default(300_000),
    /** Wait before sending the first alert of a new group, to batch a burst, ms. */
    groupWaitMs: durationMs().default(30_000),
    /** Minimum time between two sends of a group that gained new alerts, ms. */
    groupIntervalMs: durationMs().default(300_000),
    /** Resend a still-firing, unacknowledged group after this long, ms. */
    repeatIntervalMs: durationMs().default(3_600_000),
    escalation: z
      .strictObject({
        /** An unacknowledged critical alert escalates after this long, ms. */
        afterMs: durationMs().default(900_000),
        /** Channel (by name) to escalate to; unset means no escalation. */
        channel: channelName().optional(),
      })
      .prefault({}),
    /** Channel names per severity; `error` unset follows `critical`. */
    routes: z
      .strictObject({
        info: channelList().default(['console']),
        warning: channelList().default(['console']),
        error: channelList().optional(),
        critical: channelList().default(['console']),
      })
      .prefault({}),
    channels: z
      .preprocess(
        withKinds,
        z.record(channelName(), channelSchema, { error: 'object of channel name to channel' }),
      )
      .prefault({}),
  })
  .prefault({});

export type ChannelConfig = DeepReadonly<z.output<typeof channelSchema>>;
