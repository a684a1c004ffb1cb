// The alerts section: grouping and repetition timing, routes by severity, and the channels.
import { z } from 'zod';
import { bool, durationMs, httpUrl, list, oneOf, portNumber, secret, secretHttpUrl, text } from './fields.js';

export const CHANNEL_NAMES = ['console', 'email', 'sms', 'telegram', 'webhook'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];
export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

const channelList = () => list(oneOf(CHANNEL_NAMES), { min: 0, max: CHANNEL_NAMES.length });

const emailSchema = z.strictObject({
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
});

const smsSchema = z.strictObject({
  provider: oneOf(['twilio', 'kavenegar', 'generic']),
  /** Endpoint for the generic provider; the others have a built-in default. */
  url: httpUrl().optional(),
  accountSid: text().optional(),
  authToken: secret().optional(),
  apiKey: secret().optional(),
  from: text().optional(),
  to: list(text(), { min: 1, max: 20 }),
  timeoutMs: durationMs().default(10_000),
});

const telegramSchema = z.strictObject({
  botToken: secret(),
  chatIds: list(text(), { min: 1, max: 20 }),
  apiBaseUrl: httpUrl().default('https://api.telegram.org'),
  timeoutMs: durationMs().default(10_000),
});

const webhookChannelSchema = z.strictObject({
  /** Slack and Discord webhook URLs carry their token, so the URL is a secret. */
  url: secretHttpUrl(),
  format: oneOf(['json', 'slack', 'discord']).default('json'),
  /** Extra request headers; values are secrets (often an Authorization header). */
  headers: z.record(text(), secret(), { error: 'object of header name to string' }).default({}),
  timeoutMs: durationMs().default(10_000),
});

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
        /** Channel to escalate to; unset means no escalation. */
        channel: oneOf(CHANNEL_NAMES).optional(),
      })
      .prefault({}),
    routes: z
      .strictObject({
        info: channelList().default(['console']),
        warning: channelList().default(['console']),
        critical: channelList().default(['console']),
      })
      .prefault({}),
    channels: z
      .strictObject({
        console: z.strictObject({ enabled: bool().default(true) }).prefault({}),
        email: emailSchema.optional(),
        sms: smsSchema.optional(),
        telegram: telegramSchema.optional(),
        webhook: webhookChannelSchema.optional(),
      })
      .prefault({}),
  })
  .prefault({});
