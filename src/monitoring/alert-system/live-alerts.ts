// The alerts the manager keeps in memory (open ones, and resolved ones until their resolution has been
// notified), indexed so that a change costs O(1) and a group's alerts cost O(group): a burst of
// thousands of alerts (every signal refused while halted) must not make each one scan all the others.
import type { Alert, Severity } from './alert.js';

export class LiveAlerts {
  /** Every live alert in first-insertion order: the oldest is evicted first past the bound. */
  readonly #all = new Map<string, Alert>();
  /** Per group, its alerts in the same order as #all. */
  readonly #groups = new Map<string, Map<string, Alert>>();
  /** Per group and severity, the ids of its alerts with that severity, in the same order as #all. */
  readonly #severities = new Map<string, Map<Severity, Set<string>>>();
  /** Each live alert's place in #all's order (ever increasing), to order a group's severities. */
  readonly #places = new Map<string, number>();
  #nextPlace = 0;
  /** Per dedup key, the ids of its live alerts in the same order as #all. */
  readonly #keys = new Map<string, Set<string>>();
  /** Resolved alerts by resolution time, oldest first (from `#resolvedHead` on): forgetting is O(expired). */
  readonly #resolved: { id: string; atMs: number }[] = [];
  #resolvedHead = 0;

  constructor(private readonly bound: number) {}

  get size(): number {
    return this.#all.size;
  }

  get(id: string): Alert | undefined {
    return this.#all.get(id);
  }

  values(): IterableIterator<Alert> {
    return this.#all.values();
  }

  /** Adds or replaces an alert; a known id keeps its place in every order. */
  set(alert: Alert): void {
    const previous = this.#all.get(alert.id);
    if (previous === undefined) this.#places.set(alert.id, this.#nextPlace++);
    else if (
      previous.group !== alert.group ||
      previous.key !== alert.key ||
      previous.severity !== alert.severity
    )
      this.#unindex(previous);
    this.#all.set(alert.id, alert);
    this.#index(alert);
    if (
      alert.state === 'resolved' &&
      (previous?.state !== 'resolved' || previous.resolvedAtMs !== alert.resolvedAtMs)
    )
      this.#queueResolved(alert.id, alert.resolvedAtMs ?? 0);
  }

  /** The group's alerts, O(group). */
  group(group: string): Alert[] {
    return [...(this.#groups.get(group)?.values() ?? [])];
  }

  /**
   * The severities the group's alerts have, ordered by the first alert of each in the group's order
   * (as a scan of group() would meet them), O(severities).
   */
  severities(group: string): Severity[] {
    const bySeverity = [...(this.#severities.get(group) ?? [])].map(([severity, ids]) => ({
      severity,
      place: this.#places.get(ids.values().next().value ?? '') ?? 0,
    }));
    return bySeverity.sort((a, b) => a.place - b.place).map((entry) => entry.severity);
  }

  /** The first live alert with this key that is not resolved. */
  openByKey(key: string): Alert | undefined {
    for (const id of this.#keys.get(key) ?? []) {
      const alert = this.#all.get(id);
      if (alert !== undefined && alert.state !== 'resolved') return alert;
    }
    return undefined;
  }

  /** Drops resolved alerts resolved before `beforeMs`, then the oldest alerts past the bound. */
  forget(beforeMs: number): void {
    while (this.#resolvedHead < this.#resolved.length) {
      const head = this.#resolved[this.#resolvedHead];
      if (head === undefined || head.atMs >= beforeMs) break;
      this.#resolvedHead++;
      const alert = this.#all.get(head.id);
      if (alert?.state === 'resolved' && (alert.resolvedAtMs ?? 0) < beforeMs) this.#delete(alert);
    }
    // Drops the consumed head once it is most of the array: amortized O(1) per resolution.
    if (this.#resolvedHead > 1_024 && this.#resolvedHead * 2 > this.#resolved.length) {
      this.#resolved.splice(0, this.#resolvedHead);
      this.#resolvedHead = 0;
    }
    while (this.#all.size > this.bound) {
      const oldest = this.#all.values().next().value;
      if (oldest === undefined) break;
      this.#delete(oldest);
    }
  }

  /** Keeps #resolved sorted: resolutions arrive in time order, so this is an append but for clock steps. */
  #queueResolved(id: string, atMs: number): void {
    let index = this.#resolved.length;
    while (index > this.#resolvedHead && (this.#resolved[index - 1]?.atMs ?? 0) > atMs) index--;
    this.#resolved.splice(index, 0, { id, atMs });
  }

  #delete(alert: Alert): void {
    this.#all.delete(alert.id);
    this.#places.delete(alert.id);
    this.#unindex(alert);
  }

  /** Map.set and Set.add keep a known entry where it is, so re-indexing an alert keeps its place. */
  #index(alert: Alert): void {
    const group = this.#groups.get(alert.group) ?? new Map<string, Alert>();
    this.#groups.set(alert.group, group.set(alert.id, alert));
    const ids = this.#keys.get(alert.key) ?? new Set<string>();
    this.#keys.set(alert.key, ids.add(alert.id));
    const bySeverity = this.#severities.get(alert.group) ?? new Map<Severity, Set<string>>();
    this.#severities.set(alert.group, bySeverity);
    const withSeverity = bySeverity.get(alert.severity) ?? new Set<string>();
    bySeverity.set(alert.severity, withSeverity.add(alert.id));
  }

  #unindex(alert: Alert): void {
    const group = this.#groups.get(alert.group);
    group?.delete(alert.id);
    if (group?.size === 0) this.#groups.delete(alert.group);
    const ids = this.#keys.get(alert.key);
    ids?.delete(alert.id);
    if (ids?.size === 0) this.#keys.delete(alert.key);
    const bySeverity = this.#severities.get(alert.group);
    const withSeverity = bySeverity?.get(alert.severity);
    withSeverity?.delete(alert.id);
    if (withSeverity?.size === 0) bySeverity?.delete(alert.severity);
    if (bySeverity?.size === 0) this.#severities.delete(alert.group);
  }
}
