// Goal: dedup, grouping, throttling (group wait / interval / repeat), routing by severity, escalation of an
// unacknowledged critical alert, history search and delivery records. Method: fake clock, recording channels.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { SqliteDatabase } from '../../storage/sqlite-database.js';
import type { Notification } from './alert.js';
import { AlertManager } from './alert-manager.js';
import { alertMigrations } from './alert-store.js';
import { type AlertChannel, ChannelDispatcher } from './channel.js';

class RecordingChannel implements AlertChannel {
  readonly sent: Notification[] = [];
  failing = false;
  constructor(readonly name: string) {}
  async send(notification: Notification): Promise<void> {
    if (this.failing) throw new Error(`${this.name} down`);
    this.sent.push(notification);
  }
}

describe('AlertManager', () => {
  let db: SqliteDatabase;
  let clock: FakeClock;
  let console_: RecordingChannel;
  let telegram: RecordingChannel;
  let sms: RecordingChannel;
  let manager: AlertManager;

  beforeEach(async () => {
    db = new SqliteDatabase({ path: ':memory:' });
    await db.migrate(alertMigrations);
    clock = new FakeClock();
    console_ = new RecordingChannel('console');
    telegram = new RecordingChannel('telegram');
    sms = new RecordingChannel('sms');
    manager = await AlertManager.open({
      db,
      clock,
      dedupWindowMs: 60_000,
      groupWaitMs: 1_000,
      groupIntervalMs: 10_000,
      repeatIntervalMs: 60_000,
      dispatchers: [console_, telegram, sms].map((channel) => new ChannelDispatcher({ channel })),
      routes: {
        info: ['console'],
        warning: ['console'],
        error: ['console', 'telegram'],
        critical: ['console', 'telegram'],
      },
      escalation: { afterMs: 120_000, channel: 'sms' },
      secrets: ['s3cr3t-token'],
    });
  });
  afterEach(async () => {
    await manager.stop();
    await db.close();
  });

  const critical = {
    severity: 'critical' as const,
    source: 'exchange',
    key: 'breaker.orders',
    title: 'orders breaker open',
  };

  it('counts repeats of a key within the window as one alert', async () => {
    const first = await manager.raise(critical);
    await clock.advance(10_000);
    const second = await manager.raise(critical);
    expect(second.id).toBe(first.id);
    expect(second.repeatCount).toBe(2);
    await clock.advance(61_000);
    const third = await manager.raise(critical);
    expect(third.id).not.toBe(first.id);
    expect((await manager.store.get(first.id))?.resolvedBy).toBe('superseded');
  });

  it('waits groupWaitMs, groups alerts, and routes by severity', async () => {
    await manager.raise(critical);
    await manager.raise({
      severity: 'info',
      source: 'exchange',
      key: 'cache.stale',
      title: 'serving stale market data',
    });
    expect(console_.sent).toHaveLength(0);
    await clock.advance(1_000);
    expect(console_.sent).toHaveLength(1);
    expect(console_.sent[0]?.alerts).toHaveLength(2);
    expect(telegram.sent[0]?.alerts.map((alert) => alert.severity)).toEqual(['critical']);
  });

  it('sends at most one update per group interval and reminds after the repeat interval', async () => {
    await manager.raise(critical);
    await clock.advance(1_000);
    await manager.raise({ ...critical, key: 'breaker.account', title: 'account breaker open' });
    await clock.advance(5_000);
    expect(console_.sent).toHaveLength(1);
    await clock.advance(5_000);
    expect(console_.sent.map((n) => n.reason)).toEqual(['initial', 'update']);
    await clock.advance(60_000);
    expect(console_.sent.map((n) => n.reason)).toEqual(['initial', 'update', 'repeat']);
  });

  it('escalates an unacknowledged critical alert to the second channel', async () => {
    await manager.raise(critical);
    await clock.advance(120_000);
    expect(sms.sent.map((n) => n.reason)).toEqual(['escalation']);
  });

  it('does not escalate an acknowledged alert, and records who acknowledged', async () => {
    const alert = await manager.raise(critical);
    await clock.advance(30_000);
    const acked = await manager.acknowledge(alert.id, 'alice');
    expect(acked).toMatchObject({
      state: 'acknowledged',
      acknowledgedBy: 'alice',
      acknowledgedAtMs: clock.nowMs(),
    });
    await clock.advance(200_000);
    expect(sms.sent).toHaveLength(0);
  });

  it('notifies a resolution and then stops reminding', async () => {
    const alert = await manager.raise(critical);
    await clock.advance(1_000);
    await manager.resolve(alert.id, 'engine');
    await clock.advance(10_000);
    expect(console_.sent.at(-1)?.alerts[0]?.state).toBe('resolved');
    const count = console_.sent.length;
    await clock.advance(300_000);
    expect(console_.sent).toHaveLength(count);
  });

  it('keeps a dead channel from delaying the others and records every outcome', async () => {
    telegram.failing = true;
    await manager.raise(critical);
    await clock.advance(1_000);
    expect(console_.sent).toHaveLength(1);
    const deliveries = await manager.store.deliveries();
    expect(deliveries.map((d) => `${d.channel}:${d.outcome}`).sort()).toEqual([
      'console:delivered',
      'telegram:failed',
    ]);
  });

  it('searches the history by severity, source, state, time and text, and scrubs secrets', async () => {
    await manager.raise({ ...critical, details: { token: 'abc', note: 'used s3cr3t-token here' } });
    await clock.advance(1_000);
    await manager.raise({
      severity: 'warning',
      source: 'reconciliation',
      key: 'drift.btc',
      title: 'BTC drift corrected',
    });
    expect((await manager.search({ severity: 'warning' })).map((a) => a.key)).toEqual(['drift.btc']);
    expect((await manager.search({ source: 'exchange' })).map((a) => a.key)).toEqual(['breaker.orders']);
    expect((await manager.search({ text: 'DRIFT' })).map((a) => a.key)).toEqual(['drift.btc']);
    expect(await manager.search({ state: 'resolved' })).toEqual([]);
    expect(await manager.search({ fromMs: clock.nowMs() + 1 })).toEqual([]);
    expect(await manager.search({ text: "'; DROP TABLE alerts; --" })).toEqual([]);
    const [stored] = await manager.search({ source: 'exchange' });
    expect(JSON.stringify(stored?.details)).not.toMatch(/abc|s3cr3t-token/);
  });

  it('reloads open alerts after a restart', async () => {
    const alert = await manager.raise(critical);
    const again = await AlertManager.open({
      db,
      clock,
      dedupWindowMs: 60_000,
      groupWaitMs: 0,
      groupIntervalMs: 0,
      repeatIntervalMs: 0,
      dispatchers: [],
      routes: { info: [], warning: [], error: [], critical: [] },
    });
    expect(again.openAlerts().map((a) => a.id)).toEqual([alert.id]);
    await again.stop();
  });
});
