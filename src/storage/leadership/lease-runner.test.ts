// Goal: the lease loop's own decisions: renew on time, demote on 'lost' and at its own expiry
// instant when renewals fail, retry acquiring as a standby, and give the lease back on release.
// Method: an in-memory LeaseStore whose answers the test controls, FakeClock.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import type { LeaderDemotion, LeaseStore } from './leader-lease.js';
import { LeaseRunner } from './lease-runner.js';

class ScriptedStore implements LeaseStore {
  token = 0;
  held = false;
  renewAnswer: boolean | 'throw' = true;
  readonly calls: string[] = [];

  async tryAcquire(): Promise<number | undefined> {
    this.calls.push('acquire');
    if (this.held) return undefined;
    this.held = true;
    return ++this.token;
  }
  async renew(): Promise<boolean> {
    this.calls.push('renew');
    if (this.renewAnswer === 'throw') throw new Error('store unreachable');
    return this.renewAnswer;
  }
  async release(): Promise<void> {
    this.calls.push('release');
    this.held = false;
  }
  async holds(): Promise<boolean> {
    return this.held;
  }
}

function setup() {
  const clock = new FakeClock(0);
  const store = new ScriptedStore();
  const lease = new LeaseRunner(store, { instanceId: 'a', ttlMs: 1_000, renewIntervalMs: 300, clock });
  const demotions: LeaderDemotion['reason'][] = [];
  lease.onDemoted((demotion) => demotions.push(demotion.reason));
  lease.start();
  return { clock, store, lease, demotions };
}

describe('LeaseRunner', () => {
  it('acquires at start and renews every renewIntervalMs', async () => {
    const { clock, store, lease } = setup();
    await clock.advance(0);
    expect(lease.leaderInfo()).toEqual({ instanceId: 'a', token: 1, sinceMs: 0, expiresAtMs: 1_000 });
    await clock.advance(900);
    expect(store.calls).toEqual(['acquire', 'renew', 'renew', 'renew']);
    expect(lease.leaderInfo()?.expiresAtMs).toBe(1_900);
  });

  it('demotes at once when the store says the lease is someone else’s', async () => {
    const { clock, store, lease, demotions } = setup();
    await clock.advance(0);
    store.renewAnswer = false;
    await clock.advance(300);
    expect(lease.isLeader).toBe(false);
    expect(demotions).toEqual(['lost']);
  });

  it('keeps leading through failed renewals until its own expiry, then demotes', async () => {
    const { clock, store, lease, demotions } = setup();
    await clock.advance(0);
    store.renewAnswer = 'throw';
    await clock.advance(999);
    expect(lease.isLeader).toBe(true);
    await clock.advance(1);
    expect(lease.isLeader).toBe(false);
    expect(demotions).toEqual(['expired']);
    expect(lease.leaderInfo()).toBeUndefined();
  });

  it('retries as a standby and is elected once the lease is free', async () => {
    const clock = new FakeClock(0);
    const store = new ScriptedStore();
    store.held = true;
    const lease = new LeaseRunner(store, { instanceId: 'b', ttlMs: 1_000, renewIntervalMs: 300, clock });
    const elected: number[] = [];
    lease.onElected((info) => elected.push(info.token));
    lease.start();
    await clock.advance(600);
    expect(elected).toEqual([]);
    store.held = false;
    await clock.advance(300);
    expect(elected).toEqual([1]);
    await lease.release();
    expect(store.held).toBe(false);
    expect(lease.token).toBe(1); // the latest term's token stays readable for the fence
  });
});
