// Renderings of a notification shared by the channels: worst severity, bounded plain text, and HTML.
// Built on notificationText so every channel says the same thing.
import { type Notification, notificationText, SEVERITY_RANK, type Severity } from '../alert.js';

export function worstSeverity(notification: Notification): Severity {
  return notification.alerts.reduce<Severity>(
    (max, alert) => (SEVERITY_RANK[alert.severity] > SEVERITY_RANK[max] ? alert.severity : max),
    'info',
  );
}

/** Subject and body as one text, cut to charsMax (the peer's message limit) with a marker. */
export function plainText(notification: Notification, charsMax: number): string {
  const { subject, body } = notificationText(notification);
  return truncate(body === '' ? subject : `${subject}\n${body}`, charsMax);
}

export function truncate(text: string, charsMax: number): string {
  if (!(Number.isInteger(charsMax) && charsMax >= 2))
    throw new RangeError(`charsMax must be an integer >= 2, was ${charsMax}`);
  return text.length <= charsMax ? text : `${text.slice(0, charsMax - 1)}…`;
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/** A small HTML version for mail clients: the subject as a heading and one list item per alert. */
export function notificationHtml(notification: Notification): string {
  const { subject } = notificationText(notification);
  const items = notification.alerts.map(
    (alert) =>
      `<li><strong>[${escapeHtml(alert.severity)}]</strong> ${escapeHtml(alert.title)} ` +
      `<small>(${escapeHtml(alert.state)}, seen ${alert.repeatCount}x, key ${escapeHtml(alert.key)}, id ${escapeHtml(alert.id)})</small></li>`,
  );
  return [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h2>${escapeHtml(subject)}</h2>`,
    `<p>Group <code>${escapeHtml(notification.group)}</code>, reason ${escapeHtml(notification.reason)}, at ${new Date(notification.atMs).toISOString()}</p>`,
    `<ul>${items.join('')}</ul>`,
    '</body></html>',
  ].join('\n');
}
