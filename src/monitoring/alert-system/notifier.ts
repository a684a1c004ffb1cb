// Alertmanager-like timing per channel and group: wait `groupWaitMs` before the first notification of a
// group, then at most one update per `groupIntervalMs`, and a reminder every `repeatIntervalMs` while
// alerts stay open. An unacknowledged critical alert is escalated to a second channel after `afterMs`.
import type { Clock, TimerHandle } from '../../core/clock.js';
import { type Alert, type Notification, SEVERITY_RANK, type Severity } from './alert.js';
import type { ChannelDispatcher } from './channel.js';

export interface NotifierTiming {
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
}

export interface NotifierOptions extends NotifierTiming {
  readonly clock: Clock;
  readonly dispatchers: ReadonlyMap<string, ChannelDispatcher>;
  /** Channel names per severity. */
  readonly routes: Readonly<Record<Severity, readonly string[]>>;
  readonly escalation?: { readonly afterMs: number; readonly channel: string };
  /** The alerts of a group as they are now (open ones and those resolved since the last notification). */
  readonly groupAlerts: (group: string) => readonly Alert[];
  /**
   * The severities of those alerts, each once, in the order a scan of groupAlerts meets them: what
   * every change needs to know, without the O(group) scan (a burst of alerts in one group).
   */
  readonly groupSeverities: (group: string) => readonly Severity[];
  readonly currentAlert: (id: string) => Alert | undefined;
}

interface GroupState {
  timer: TimerHandle | undefined;
  dueAtMs: number;
  sentOnce: boolean;
  lastSentAtMs: number;
  lastFingerprint: string;
}

export class Notifier {
  readonly #groups = new Map<string, GroupState>();
  readonly #escalations = new Map<string, TimerHandle>();

  constructor(private readonly options: NotifierOptions) {
    for (const value of [options.groupWaitMs, options.groupIntervalMs, options.repeatIntervalMs])
      if (!Number.isInteger(value) || value < 0)
        throw new RangeError(`notifier timings must be non-negative ms, was ${value}`);
  }

  /** Called whenever an alert of `group` is raised, updated, acknowledged or resolved. */
  changed(alert: Alert): void {
    for (const channel of this.#channelsFor(alert.group)) this.#schedule(channel, alert.group);
    if (alert.severity === 'critical' && alert.state === 'firing') this.#armEscalation(alert);
    if (alert.state !== 'firing') this.#disarmEscalation(alert.id);
  }

  stop(): void {
    for (const state of this.#groups.values())
      if (state.timer !== undefined) this.options.clock.clearTimeout(state.timer);
    for (const timer of this.#escalations.values()) this.options.clock.clearTimeout(timer);
    this.#groups.clear();
    this.#escalations.clear();
  }

  #channelsFor(group: string): Set<string> {
    const channels = new Set<string>();
    for (const severity of this.options.groupSeverities(group))
      for (const channel of this.options.routes[severity]) channels.add(channel);
    return channels;
  }

  #schedule(channel: string, group: string): void {
    const key = `${channel}\u0000${group}`;
    const state = this.#groups.get(key) ?? {
      timer: undefined,
      dueAtMs: 0,
      sentOnce: false,
      lastSentAtMs: 0,
      lastFingerprint: '',
    };
    this.#groups.set(key, state);
    const nowMs = this.options.clock.nowMs();
    const delayMs = state.sentOnce
      ? Math.max(0, state.lastSentAtMs + this.options.groupIntervalMs - nowMs)
      : this.options.groupWaitMs;
    this.#arm(channel, group, state, delayMs);
  }

  /** Keeps the earliest of the pending flush and the one asked for. */
  #arm(channel: string, group: string, state: GroupState, delayMs: number): void {
    const dueAtMs = this.options.clock.nowMs() + delayMs;
    if (state.timer !== undefined && state.dueAtMs <= dueAtMs) return;
    if (state.timer !== undefined) this.options.clock.clearTimeout(state.timer);
    state.dueAtMs = dueAtMs;
    state.timer = this.options.clock.setTimeout(() => this.#flush(channel, group, state), delayMs);
  }

  #flush(channel: string, group: string, state: GroupState): void {
    state.timer = undefined;
    const alerts = this.#alertsFor(channel, group);
    const fingerprint = alerts.map((alert) => `${alert.id}:${alert.state}:${alert.repeatCount}`).join('|');
    const open = alerts.some((alert) => alert.state !== 'resolved');
    const nowMs = this.options.clock.nowMs();
    const changed = fingerprint !== state.lastFingerprint;
    const reminderDue = open && nowMs - state.lastSentAtMs >= this.options.repeatIntervalMs;
    if (alerts.length > 0 && (changed || reminderDue)) {
      const reason = !state.sentOnce ? 'initial' : changed ? 'update' : 'repeat';
      this.#send(channel, { group, alerts, reason, atMs: nowMs });
      state.sentOnce = true;
      state.lastSentAtMs = nowMs;
      state.lastFingerprint = fingerprint;
    }
    if (open) this.#arm(channel, group, state, this.#nextCheckMs(state));
  }

  /** While a group is open, look again at the next reminder time. */
  #nextCheckMs(state: GroupState): number {
    return Math.max(1, state.lastSentAtMs + this.options.repeatIntervalMs - this.options.clock.nowMs());
  }

  #alertsFor(channel: string, group: string): Alert[] {
    return this.options
      .groupAlerts(group)
      .filter((alert) => this.options.routes[alert.severity].includes(channel))
      .sort(
        (a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.firstSeenAtMs - b.firstSeenAtMs,
      );
  }

  #armEscalation(alert: Alert): void {
    const escalation = this.options.escalation;
    if (escalation === undefined || this.#escalations.has(alert.id)) return;
    const timer = this.options.clock.setTimeout(() => {
      this.#escalations.delete(alert.id);
      const current = this.options.currentAlert(alert.id);
      if (current === undefined || current.state !== 'firing') return;
      this.#send(escalation.channel, {
        group: current.group,
        alerts: [current],
        reason: 'escalation',
        atMs: this.options.clock.nowMs(),
      });
    }, escalation.afterMs);
    this.#escalations.set(alert.id, timer);
  }

  #disarmEscalation(alertId: string): void {
    const timer = this.#escalations.get(alertId);
    if (timer !== undefined) this.options.clock.clearTimeout(timer);
    this.#escalations.delete(alertId);
  }

  #send(channel: string, notification: Notification): void {
    this.options.dispatchers.get(channel)?.enqueue(notification);
  }
}
