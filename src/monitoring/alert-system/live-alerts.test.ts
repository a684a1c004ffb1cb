// Goal: the manager's in-memory alerts answer a change, a group, a key and forgetting without touching
// the alerts of other groups (a burst in one group must not cost O(all live alerts) per alert), and
// keep the orders and bounds the notifier relies on. Method: alerts wrapped in proxies that count
// every property read, so a scan of another group is seen (no timing).
import { describe, expect, it } from 'vitest';
import { type Alert, newFiringAlert, type Severity } from './alert.js';
import { LiveAlerts } from './live-alerts.js';

const alertOf = (id: string, group: string, severity: Severity = 'error', key = `key-${id}`): Alert =>
  newFiringAlert({ id, key, severity, source: group, group, title: id, details: {} }, 1_000);

const resolved = (alert: Alert, atMs: number): Alert => ({
  ...alert,
  state: 'resolved',
  resolvedBy: 'test',
  resolvedAtMs: atMs,
});

describe('LiveAlerts', () => {
  it('reads no alert of another group when a group changes, is listed, is looked up or forgets', () => {
    let reads = 0;
    const counted = (alert: Alert): Alert =>
      new Proxy(alert, {
        get(target, property, receiver) {
          reads++;
          return Reflect.get(target, property, receiver);
        },
      });
    const live = new LiveAlerts(20_000);
    for (let i = 0; i < 10_000; i++) live.set(counted(alertOf(`other-${i}`, 'exchange')));
    reads = 0;
    for (let i = 0; i < 100; i++) {
      live.set(alertOf(`engine-${i}`, 'engine'));
      live.set(resolved(alertOf(`engine-${i}`, 'engine'), 2_000 + i));
      live.severities('engine');
      live.openByKey(`key-engine-${i}`);
      live.forget(2_000 + i);
    }
    expect(live.group('engine')).toHaveLength(1);
    expect(live.size).toBe(10_001);
    expect(reads).toBe(0);
  });

  it('orders a group’s severities by the first alert of each, as a scan of the group would', () => {
    const live = new LiveAlerts(100);
    live.set(alertOf('a', 'g', 'warning'));
    live.set(alertOf('b', 'g', 'critical'));
    live.set(alertOf('c', 'g', 'warning'));
    live.set(alertOf('x', 'other', 'info'));
    expect(live.severities('g')).toEqual(['warning', 'critical']);
    // Updating the first warning keeps its place; dropping it leaves the later warning behind the critical.
    live.set({ ...alertOf('a', 'g', 'warning'), repeatCount: 2 });
    expect(live.severities('g')).toEqual(['warning', 'critical']);
    live.set(resolved(alertOf('a', 'g', 'warning'), 5_000));
    live.forget(5_001);
    expect(live.group('g').map((alert) => alert.id)).toEqual(['b', 'c']);
    expect(live.severities('g')).toEqual(['critical', 'warning']);
    expect(live.severities('none')).toEqual([]);
  });

  it('forgets only alerts resolved before the limit, also when the clock stepped back', () => {
    const live = new LiveAlerts(100);
    live.set(resolved(alertOf('late', 'g'), 9_000));
    live.set(resolved(alertOf('early', 'g'), 4_000)); // resolved after a clock step back
    live.set(alertOf('open', 'g'));
    live.forget(5_000);
    expect(live.group('g').map((alert) => alert.id)).toEqual(['late', 'open']);
    live.forget(9_001);
    expect(live.group('g').map((alert) => alert.id)).toEqual(['open']);
  });

  it('finds the open alert of a key and evicts the oldest past its bound', () => {
    const live = new LiveAlerts(2);
    live.set(resolved(alertOf('old', 'g', 'error', 'k'), 1_000));
    live.set(alertOf('new', 'g', 'error', 'k'));
    expect(live.openByKey('k')?.id).toBe('new');
    live.set(alertOf('third', 'g'));
    live.forget(0);
    expect([...live.values()].map((alert) => alert.id)).toEqual(['new', 'third']);
    expect(live.openByKey('k')?.id).toBe('new');
    expect(live.openByKey('missing')).toBeUndefined();
  });
});
