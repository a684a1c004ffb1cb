// The alert model. An alert is identified by its dedup key while it is open (firing or acknowledged).

export type Severity = 'info' | 'warning' | 'error' | 'critical';
export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'error', 'critical'];
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = {
  info: 0,
  warning: 1,
  error: 2,
  critical: 3,
};

export type AlertState = 'firing' | 'acknowledged' | 'resolved';
/** Open alerts absorb repeats of their key; a resolved one does not. */
export const OPEN_ALERT_STATES: readonly AlertState[] = ['firing', 'acknowledged'];

export interface AlertInput {
  readonly severity: Severity;
  /** The component that raised it: `exchange`, `reconciliation`, `engine`, … */
  readonly source: string;
  /** Repeats with the same key within the dedup window count as one alert. */
  readonly key: string;
  readonly title: string;
  readonly details?: Readonly<Record<string, unknown>>;
  /** Alerts of a group are notified together; defaults to the source. */
  readonly group?: string;
}

export interface Alert {
  readonly id: string;
  readonly key: string;
  readonly severity: Severity;
  readonly source: string;
  readonly group: string;
  readonly title: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly state: AlertState;
  readonly firstSeenAtMs: number;
  readonly lastSeenAtMs: number;
  readonly repeatCount: number;
  readonly acknowledgedBy: string | null;
  readonly acknowledgedAtMs: number | null;
  readonly resolvedBy: string | null;
  readonly resolvedAtMs: number | null;
}

/** A newly raised alert: firing, seen once now, neither acknowledged nor resolved. */
export function newFiringAlert(
  fields: Pick<Alert, 'id' | 'key' | 'severity' | 'source' | 'group' | 'title' | 'details'>,
  nowMs: number,
): Alert {
  return {
    ...fields,
    state: 'firing',
    firstSeenAtMs: nowMs,
    lastSeenAtMs: nowMs,
    repeatCount: 1,
    acknowledgedBy: null,
    acknowledgedAtMs: null,
    resolvedBy: null,
    resolvedAtMs: null,
  };
}

/** What a channel is asked to deliver: one group's alerts at one moment. */
export interface Notification {
  readonly group: string;
  readonly alerts: readonly Alert[];
  /** Why it is sent: first of the group, a change, a reminder, or an escalation. */
  readonly reason: 'initial' | 'update' | 'repeat' | 'escalation';
  readonly atMs: number;
}

export function notificationText(notification: Notification): { subject: string; body: string } {
  const worst = notification.alerts.reduce<Severity>(
    (max, alert) => (SEVERITY_RANK[alert.severity] > SEVERITY_RANK[max] ? alert.severity : max),
    'info',
  );
  const firing = notification.alerts.filter((alert) => alert.state !== 'resolved').length;
  const prefix = notification.reason === 'escalation' ? 'ESCALATED ' : '';
  const subject = `${prefix}[${worst.toUpperCase()}] Keel ${notification.group}: ${firing} open alert(s)`;
  const lines = notification.alerts.map(
    (alert) =>
      `- [${alert.severity}] ${alert.title} (${alert.state}, seen ${alert.repeatCount}x, key ${alert.key}, id ${alert.id})`,
  );
  return { subject, body: lines.join('\n') };
}
