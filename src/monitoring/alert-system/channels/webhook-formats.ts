// Request bodies for the webhook channel: Keel's own JSON, Slack incoming webhooks, Discord webhooks.
// Each peer's length limits are applied here, so a long notification is cut rather than refused.
import { type Notification, notificationText, type Severity } from '../alert.js';
import { truncate, worstSeverity } from './notification-format.js';

export type WebhookFormat = 'json' | 'slack' | 'discord';

/** Keel's own body: everything a receiver needs to route or display the notification. */
export function keelWebhookBody(notification: Notification): Record<string, unknown> {
  const { subject } = notificationText(notification);
  return {
    group: notification.group,
    reason: notification.reason,
    atMs: notification.atMs,
    severity: worstSeverity(notification),
    subject,
    alerts: notification.alerts.map((alert) => ({
      id: alert.id,
      key: alert.key,
      severity: alert.severity,
      source: alert.source,
      title: alert.title,
      state: alert.state,
      details: alert.details,
      repeatCount: alert.repeatCount,
      firstSeenAtMs: alert.firstSeenAtMs,
      lastSeenAtMs: alert.lastSeenAtMs,
    })),
  };
}

/** Slack: `text` is the notification fallback; header plain_text ≤ 150, section mrkdwn ≤ 3000 chars. */
export function slackWebhookBody(notification: Notification): Record<string, unknown> {
  const { subject, body } = notificationText(notification);
  return {
    text: truncate(`${subject}\n${body}`, 3_000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: truncate(subject, 150) } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: truncate(escapeSlack(body === '' ? subject : body), 3_000) },
      },
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: escapeSlack(`group ${notification.group} · ${notification.reason}`) },
        ],
      },
    ],
  };
}

const DISCORD_COLORS: Readonly<Record<Severity, number>> = {
  info: 0x3498db,
  warning: 0xf1c40f,
  error: 0xe67e22,
  critical: 0xe74c3c,
};

/** Discord: content ≤ 2000, embed title ≤ 256 and description ≤ 4096 chars. */
export function discordWebhookBody(notification: Notification): Record<string, unknown> {
  const { subject, body } = notificationText(notification);
  return {
    content: truncate(subject, 2_000),
    embeds: [
      {
        title: truncate(`${notification.group} (${notification.reason})`, 256),
        description: truncate(body === '' ? subject : body, 4_096),
        color: DISCORD_COLORS[worstSeverity(notification)],
        timestamp: new Date(notification.atMs).toISOString(),
      },
    ],
    // Alert titles come from components and exchanges: never let them ping anyone.
    allowed_mentions: { parse: [] },
  };
}

export function webhookBody(format: WebhookFormat, notification: Notification): Record<string, unknown> {
  switch (format) {
    case 'json':
      return keelWebhookBody(notification);
    case 'slack':
      return slackWebhookBody(notification);
    case 'discord':
      return discordWebhookBody(notification);
  }
}

/** Slack mrkdwn treats &, < and > as control characters. */
function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
