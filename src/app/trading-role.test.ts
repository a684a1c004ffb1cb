// Goal: the lease decides when this instance trades: election starts a fresh engine (after a ledger
// refresh and opening balances), demotion stops engine and reconciliation at once, even halfway
// through start-up, and a later election trades again with a new engine. Method: a hand-driven
// lease (its events emitted by the test) and recording engines, ledger and reconciliation loop.
import { describe, expect, it } from 'vitest';
import { EventEmitter } from '../core/events.js';
import { silentLogger } from '../logging/logger.js';
import type { LeaderDemotion, LeaderInfo } from '../storage/leadership/leader-lease.js';
import { TradingRole } from './trading-role.js';

class HandLease {
  isLeader = false;
  started = false;
  readonly elected = new EventEmitter<LeaderInfo>();
  readonly demoted = new EventEmitter<LeaderDemotion>();
  readonly onElected = this.elected.addListener;
  readonly onDemoted = this.demoted.addListener;
  start(): void {
    this.started = true;
  }
  async release(): Promise<void> {
    if (this.isLeader) this.demote('released');
  }
  elect(token: number): void {
    this.isLeader = true;
    this.elected.emit({ instanceId: 'me', token, sinceMs: 0, expiresAtMs: 1_000 });
  }
  demote(reason: LeaderDemotion['reason']): void {
    this.isLeader = false;
    this.demoted.emit({ token: 1, reason, atMs: 0 });
  }
}

class RecordingEngine {
  state: 'new' | 'starting' | 'running' | 'stopped' = 'new';
  subscribedAfterStop = false;
  #release: () => void = () => undefined;
  constructor(
    readonly log: string[],
    readonly name: string,
    readonly slowStart: boolean,
  ) {}
  async start(): Promise<void> {
    this.log.push(`${this.name}.start`);
    this.state = 'starting';
    if (this.slowStart) await new Promise<void>((resolve) => (this.#release = resolve));
    // A stop() while starting does not prevent the subscription, as in Engine.start.
    if (this.#stoppedDuringStart()) this.subscribedAfterStop = true;
    this.state = 'running';
  }
  #stoppedDuringStart(): boolean {
    return this.state === 'stopped';
  }
  async stop(): Promise<void> {
    this.log.push(`${this.name}.stop`);
    this.state = 'stopped';
    this.#release();
  }
}

function setup(options: { lease?: HandLease; slowFirstStart?: boolean } = {}) {
  const log: string[] = [];
  const engines: RecordingEngine[] = [];
  const role = new TradingRole<RecordingEngine>({
    lease: options.lease,
    ledger: { refresh: async () => void log.push('ledger.refresh') },
    reconciliation: {
      initialize: async () => void log.push('reconciliation.initialize'),
      start: () => void log.push('reconciliation.start'),
      stop: () => void log.push('reconciliation.stop'),
    },
    createEngine: () => {
      const engine = new RecordingEngine(
        log,
        `engine${engines.length + 1}`,
        engines.length === 0 && options.slowFirstStart === true,
      );
      engines.push(engine);
      return { engine, listeners: { dispose: () => void log.push(`${engine.name}.listeners.dispose`) } };
    },
    stopGraceMs: 100,
    logger: silentLogger,
    onStandby: () => void log.push('standby'),
  });
  return { role, log, engines };
}

describe('TradingRole', () => {
  it('trades at once without a lease and stops on stop()', async () => {
    const { role, log } = setup();
    role.start();
    await role.settled();
    expect(role.isLeader).toBe(true);
    expect(log).toEqual([
      'ledger.refresh',
      'reconciliation.initialize',
      'engine1.start',
      'reconciliation.start',
    ]);
    await role.stop();
    expect(log.slice(4)).toEqual([
      'reconciliation.stop',
      'standby',
      'engine1.stop',
      'engine1.listeners.dispose',
    ]);
  });

  it('waits for election, stops at demotion and trades again with a new engine when re-elected', async () => {
    const lease = new HandLease();
    const { role, log, engines } = setup({ lease });
    role.start();
    expect(lease.started).toBe(true);
    await role.settled();
    expect(log).toEqual([]);
    lease.elect(1);
    await role.settled();
    expect(engines[0]?.state).toBe('running');
    lease.demote('lost');
    expect(log.slice(-3)).toEqual(['reconciliation.stop', 'standby', 'engine1.stop']); // synchronously
    await role.settled();
    lease.elect(2);
    await role.settled();
    expect(engines).toHaveLength(2);
    expect(engines[1]?.state).toBe('running');
    expect(role.engine).toBe(engines[1]);
    await role.stop();
    expect(engines[1]?.state).toBe('stopped');
  });

  it('a demotion during start-up leaves no engine subscribed and no reconciliation running', async () => {
    const lease = new HandLease();
    const { role, log, engines } = setup({ lease, slowFirstStart: true });
    role.start();
    lease.elect(1);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(engines[0]?.state).toBe('starting');
    lease.demote('expired');
    await role.settled();
    expect(engines[0]?.subscribedAfterStop).toBe(true);
    // start() subscribed after the stop; the role stopped it again and never started reconciliation.
    expect(log.filter((entry) => entry === 'engine1.stop')).toHaveLength(2);
    expect(engines[0]?.state).toBe('stopped');
    expect(log).not.toContain('reconciliation.start');
  });
});
