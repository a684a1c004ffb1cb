// Writes notifications to the log, at the level of the worst alert: the channel that always works.
import { type Logger, silentLogger } from '../../../logging/logger.js';
import { type Notification, notificationText, type Severity } from '../alert.js';
import type { AlertChannel } from '../channel.js';
import { worstSeverity } from './notification-format.js';

export interface ConsoleChannelOptions {
  /** Channel name as configured (routes name it). Default the kind, `console`. */
  readonly name?: string;
  /** Parent logger; the channel logs through a child. Default silentLogger. */
  readonly logger?: Logger;
}

/** Critical goes out as fatal so log-based paging treats it as the most urgent line. */
export const CONSOLE_LEVELS: Readonly<Record<Severity, 'info' | 'warn' | 'error' | 'fatal'>> = {
  info: 'info',
  warning: 'warn',
  error: 'error',
  critical: 'fatal',
};

export class ConsoleChannel implements AlertChannel {
  readonly name: string;
  readonly #logger: Logger;

  constructor(options: ConsoleChannelOptions = {}) {
    this.name = options.name ?? 'console';
    this.#logger = (options.logger ?? silentLogger).child({ component: 'alert-channel', channel: this.name });
  }

  async send(notification: Notification, _signal: AbortSignal): Promise<string> {
    const severity = worstSeverity(notification);
    const { subject } = notificationText(notification);
    // Details stay out: they are free-form and belong in the alert store, not in every log line.
    const alerts = notification.alerts.map((alert) => ({
      id: alert.id,
      key: alert.key,
      severity: alert.severity,
      source: alert.source,
      title: alert.title,
      state: alert.state,
      repeatCount: alert.repeatCount,
    }));
    this.#logger[CONSOLE_LEVELS[severity]](
      { group: notification.group, reason: notification.reason, severity, alertCount: alerts.length, alerts },
      subject,
    );
    return `written to the log at level ${CONSOLE_LEVELS[severity]}`;
  }
}
