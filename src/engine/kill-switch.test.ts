// Goal: the kill switch persists every change, survives a restart, and never lifts a halt by itself.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import { SqliteDatabase } from '../storage/sqlite-database.js';
import { isModeChangeRefusedError, KillSwitch, killSwitchMigrations } from './kill-switch.js';

describe('KillSwitch', () => {
  let db: SqliteDatabase;
  const clock = new FakeClock();
  beforeEach(async () => {
    db = new SqliteDatabase({ path: ':memory:' });
    await db.migrate(killSwitchMigrations);
  });
  afterEach(async () => db.close());

  it('starts in the initial mode and restores the last persisted one', async () => {
    const first = await KillSwitch.open({ db, clock });
    expect(first.mode).toBe('RUNNING');
    await first.set('REDUCING', { source: 'operator', by: 'cli', reason: 'manual' });
    const again = await KillSwitch.open({ db, clock });
    expect(again.mode).toBe('REDUCING');
    expect(again.lastChange?.by).toBe('cli');
  });

  it('halts automatically but refuses to lift a halt without an operator', async () => {
    const killSwitch = await KillSwitch.open({ db, clock });
    const seen: string[] = [];
    killSwitch.onChange((change) => seen.push(`${change.from}>${change.to}`));
    await killSwitch.set('HALTED', { source: 'reconciliation', by: 'reconciler', reason: 'btc differs' });
    await expect(
      killSwitch.set('RUNNING', { source: 'reconciliation', by: 'reconciler', reason: 'looks fine' }),
    ).rejects.toSatisfy(isModeChangeRefusedError);
    await killSwitch.set('RUNNING', { source: 'operator', by: 'alice', reason: 'checked' });
    expect(seen).toEqual(['RUNNING>HALTED', 'HALTED>RUNNING']);
    expect((await killSwitch.history()).map((change) => change.to)).toEqual(['RUNNING', 'HALTED']);
  });

  it('sees a change made by another instance when it refreshes', async () => {
    const leader = await KillSwitch.open({ db, clock });
    const standby = await KillSwitch.open({ db, clock });
    const seen: string[] = [];
    leader.onChange((change) => seen.push(change.to));
    await standby.set('HALTED', { source: 'operator', by: 'bob', reason: 'from the standby API' });
    expect(leader.mode).toBe('RUNNING');
    expect(await leader.refresh()).toBe('HALTED');
    expect(leader.lastChange?.by).toBe('bob');
    expect(seen).toEqual(['HALTED']);
  });

  it('changes from the mode as stored, so a stale copy cannot undo a halt set elsewhere', async () => {
    const leader = await KillSwitch.open({ db, clock });
    const cli = await KillSwitch.open({ db, clock });
    await cli.set('HALTED', { source: 'operator', by: 'cli', reason: 'stop' });
    // The leader's copy still says RUNNING; an automatic change must start from HALTED.
    await expect(
      leader.set('REDUCING', { source: 'reconciliation', by: 'reconciler', reason: 'drift' }),
    ).rejects.toSatisfy(isModeChangeRefusedError);
    await cli.set('RUNNING', { source: 'operator', by: 'cli', reason: 'go' });
    // The leader's copy now says HALTED; a halt must still be written, not skipped as a repeat.
    expect(
      await leader.set('HALTED', { source: 'reconciliation', by: 'reconciler', reason: 'breach' }),
    ).not.toBeNull();
    expect(await cli.refresh()).toBe('HALTED');
  });

  it('treats a repeat of the current mode as a no-op', async () => {
    const killSwitch = await KillSwitch.open({ db, clock });
    expect(await killSwitch.set('RUNNING', { source: 'operator', by: 'x', reason: 'y' })).toBeNull();
    expect(await killSwitch.history()).toEqual([]);
  });
});
