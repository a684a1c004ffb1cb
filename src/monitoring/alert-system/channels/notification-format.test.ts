// Goal: shared renderings pick the worst severity, cut to peer limits, and escape HTML.
// Method: direct calls on small notifications.
import { describe, expect, it } from 'vitest';
import type { Alert, Notification } from '../alert.js';
import { escapeHtml, notificationHtml, plainText, truncate, worstSeverity } from './notification-format.js';

const base: Alert = {
  id: 'a1',
  key: 'k1',
  severity: 'warning',
  source: 'engine',
  group: 'engine',
  title: 'Kill switch <armed> & "ready"',
  details: {},
  state: 'firing',
  firstSeenAtMs: 0,
  lastSeenAtMs: 0,
  repeatCount: 1,
  acknowledgedBy: null,
  acknowledgedAtMs: null,
  resolvedBy: null,
  resolvedAtMs: null,
};
const notification: Notification = {
  group: 'engine',
  reason: 'update',
  atMs: Date.UTC(2026, 0, 2),
  alerts: [base, { ...base, id: 'a2', severity: 'error' }, { ...base, id: 'a3', severity: 'info' }],
};

describe('notification formats', () => {
  it('finds the worst severity, and info for an empty notification', () => {
    expect(worstSeverity(notification)).toBe('error');
    expect(worstSeverity({ ...notification, alerts: [] })).toBe('info');
  });

  it('joins subject and body and cuts to the limit with a marker', () => {
    expect(plainText(notification, 10_000)).toMatch(
      /^\[ERROR\] Keel engine: 3 open alert\(s\)\n- \[warning\]/,
    );
    const cut = plainText(notification, 20);
    expect(cut).toHaveLength(20);
    expect(cut.endsWith('…')).toBe(true);
    expect(() => truncate('x', 1)).toThrow('charsMax must be an integer >= 2, was 1');
  });

  it('escapes HTML in titles and renders one item per alert', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const html = notificationHtml(notification);
    expect(html.match(/<li>/g)).toHaveLength(3);
    expect(html).toContain('Kill switch &lt;armed&gt; &amp; &quot;ready&quot;');
    expect(html).toContain('2026-01-02T00:00:00.000Z');
    expect(html).not.toContain('<armed>');
  });
});
