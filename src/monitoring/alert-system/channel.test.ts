// Goal (issue 17): each channel's dispatcher is a core/bulkhead, so a slow channel never holds up
// another, and its limits (bulkheads.alertChannels) decide how many notifications are sent at once,
// how many wait (a full queue drops the oldest), and how long one may wait.
// Method: channels whose sends are held open by hand; time from FakeClock; outcomes recorded.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import type { Notification } from './alert.js';
import {
  type AlertChannel,
  CHANNEL_BULKHEAD_DEFAULTS,
  type ChannelBulkheadLimits,
  ChannelDispatcher,
  type DeliveryOutcome,
} from './channel.js';

/** A channel whose sends stay open until released; records what it was asked to send. */
function heldChannel(name: string) {
  const started: string[] = [];
  const releases: (() => void)[] = [];
  const channel: AlertChannel = {
    name,
    send: (notification) =>
      new Promise<void>((resolve) => {
        started.push(notification.group);
        releases.push(resolve);
      }),
  };
  const releaseAll = () => {
    for (const release of releases.splice(0)) release();
  };
  return { channel, started, releaseAll };
}

const note = (group: string): Notification => ({ group, alerts: [], reason: 'initial', atMs: 0 });

function dispatcherOf(channel: AlertChannel, limits: Partial<ChannelBulkheadLimits> = {}) {
  const clock = new FakeClock();
  const dispatcher = new ChannelDispatcher({
    channel,
    limits: { ...CHANNEL_BULKHEAD_DEFAULTS, ...limits },
    clock,
  });
  const outcomes: Pick<DeliveryOutcome, 'outcome' | 'error'>[] = [];
  const groups: Record<string, string[]> = { delivered: [], failed: [], dropped: [] };
  dispatcher.onOutcome(({ notification, outcome, error }) => {
    outcomes.push({ outcome, error });
    groups[outcome]?.push(notification.group);
  });
  return { dispatcher, clock, outcomes, groups };
}

const settle = () => new FakeClock().advance(0);

describe('ChannelDispatcher', () => {
  it('delivers through a fast channel while a slow one holds its own slot and queue', async () => {
    const slow = heldChannel('slow');
    const fast: AlertChannel = { name: 'fast', send: async () => undefined };
    const slowSide = dispatcherOf(slow.channel);
    const fastSide = dispatcherOf(fast);
    for (const group of ['a', 'b']) {
      slowSide.dispatcher.enqueue(note(group));
      fastSide.dispatcher.enqueue(note(group));
    }
    await fastSide.dispatcher.flush();
    expect(fastSide.groups['delivered']).toEqual(['a', 'b']);
    expect(slowSide.dispatcher.stats()).toMatchObject({ running: 1, queued: 1, rejected: 0 });
    expect(slowSide.groups['delivered']).toEqual([]);
    slow.releaseAll();
    await settle();
    slow.releaseAll();
    await slowSide.dispatcher.flush();
    expect(slowSide.groups['delivered']).toEqual(['a', 'b']);
  });

  it.each([
    [1, ['a']],
    [2, ['a', 'b']],
  ])('with concurrentMax %i, sends %j at once', async (concurrentMax, sending) => {
    const held = heldChannel('ops');
    const { dispatcher } = dispatcherOf(held.channel, { concurrentMax });
    for (const group of ['a', 'b', 'c']) dispatcher.enqueue(note(group));
    await settle();
    expect(held.started).toEqual(sending);
    while (held.started.length < 3 || dispatcher.stats().running > 0) {
      held.releaseAll();
      await settle();
    }
    await dispatcher.flush();
  });

  it.each([
    [1, ['b']],
    [2, []],
  ])(
    'with queueMax %i, a full queue drops its oldest notification (dropped: %j)',
    async (queueMax, dropped) => {
      const held = heldChannel('ops');
      const { dispatcher, groups, outcomes } = dispatcherOf(held.channel, { queueMax });
      for (const group of ['a', 'b', 'c']) dispatcher.enqueue(note(group));
      await settle();
      expect(groups['dropped']).toEqual(dropped);
      if (dropped.length > 0) expect(outcomes[0]).toEqual({ outcome: 'dropped', error: 'queue full (1)' });
      while (dispatcher.stats().running + dispatcher.stats().queued > 0) {
        held.releaseAll();
        await settle();
      }
      await dispatcher.flush();
      expect(groups['delivered']).toEqual(['a', 'b', 'c'].filter((group) => !dropped.includes(group)));
    },
  );

  it.each([
    [1_000, ['b']],
    [5_000, []],
  ])(
    'with queueWaitMaxMs %i, a notification waiting 2 s is dropped (%j)',
    async (queueWaitMaxMs, dropped) => {
      const held = heldChannel('ops');
      const { dispatcher, clock, groups, outcomes } = dispatcherOf(held.channel, { queueWaitMaxMs });
      dispatcher.enqueue(note('a'));
      dispatcher.enqueue(note('b'));
      await clock.advance(2_000);
      expect(groups['dropped']).toEqual(dropped);
      if (dropped.length > 0)
        expect(outcomes[0]).toEqual({ outcome: 'dropped', error: 'waited too long in the queue' });
      expect(dispatcher.stats().rejected).toBe(dropped.length);
      held.releaseAll();
      await settle();
      held.releaseAll();
      await dispatcher.flush();
    },
  );

  it('records a failed send as failed and goes on with the next', async () => {
    let calls = 0;
    const flaky: AlertChannel = {
      name: 'flaky',
      send: async () => {
        calls += 1;
        if (calls === 1) throw new Error('peer answered 500');
      },
    };
    const { dispatcher, outcomes } = dispatcherOf(flaky);
    dispatcher.enqueue(note('a'));
    dispatcher.enqueue(note('b'));
    await dispatcher.flush();
    expect(outcomes).toEqual([
      { outcome: 'failed', error: 'peer answered 500' },
      { outcome: 'delivered', error: null },
    ]);
  });

  it('refuses a queue of no places, naming the value', () => {
    const held = heldChannel('ops');
    expect(() => dispatcherOf(held.channel, { queueMax: 0 })).toThrow(/queueMax must be at least 1, was 0/);
  });
});
