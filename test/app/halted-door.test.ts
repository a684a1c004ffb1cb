// Goal: a signal that arrives while the engine is HALTED is refused as it is stored. Before, it went
// on the bus like any other and stayed `received` until the engine took it off and refused it: one
// transaction and one alert per signal, and a signal left on the bus (a standby accepting while no
// engine consumed, a backlog) was traded if the halt was lifted before the engine reached it.
// Method: a whole Keel in paper mode (SQLite, simulator); the halt is set as an operator sets it.
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness, storedBuy } from './app-harness.js';

describe('signals arriving while HALTED', () => {
  let harness: Harness | undefined;
  afterEach(async () => harness?.close());

  const order = (id: string) => ({ id, symbol: 'BTCIRT', side: 'buy', amount: '0.001' });

  it('end rejected in the commit that stores them: never on the bus, one alert that repeats, never traded after the halt', async () => {
    harness = await startHarness();
    const h = harness;
    await h.app.killSwitch.set('HALTED', { source: 'operator', by: 'alice', reason: 'maintenance' });
    const answers = await Promise.all(['a-1', 'a-2', 'a-3'].map((id) => h.webhook(order(id))));
    const ids = answers.map((answer) => {
      expect(answer.status, JSON.stringify(answer.json)).toBe(202);
      // Stored (a re-send is a duplicate), and the answer says it was refused and why.
      expect(answer.json).toEqual({
        status: 'accepted',
        signalId: expect.any(String),
        state: 'rejected',
        reason: 'EngineHalted: the engine is halted: no new orders',
      });
      return String(answer.json.signalId);
    });
    // Already ended when the webhook answered: no engine turn was needed.
    for (const id of ids)
      expect(await h.app.signals.get(id)).toMatchObject({
        state: 'rejected',
        lastError: 'EngineHalted: the engine is halted: no new orders',
      });
    const onBus = await h.app.db.query("SELECT id FROM bus_messages WHERE topic = 'signals'");
    expect(onBus).toEqual([]);
    const refusals = (await h.app.alerts.search({ limit: 100 })).filter(
      (alert) => alert.key === 'signal.rejected.EngineHalted',
    );
    expect(refusals).toHaveLength(1);
    const [alert] = refusals;
    expect(alert?.severity).toBe('error');
    // Each commit's refusals repeat the one alert, which lists the latest commit's signals.
    expect(ids).toEqual(expect.arrayContaining(alert?.details.signalIds as string[]));
    expect(alert?.details.signals).toBeGreaterThan(0);

    await h.app.killSwitch.set('RUNNING', { source: 'operator', by: 'alice', reason: 'done' });
    const resent = await h.webhook(order('a-1'));
    expect(resent.json, 'a re-send after the halt is a duplicate, never a trade').toEqual({
      status: 'duplicate',
      signalId: ids[0],
    });
    const after = await h.webhook(order('a-4'));
    expect(after.json).toEqual({ status: 'accepted', signalId: expect.any(String) });
    const traded = String(after.json.signalId);
    await h.waitFor(
      async () => (await h.app.signals.get(traded))?.state === 'executed',
      'the next signal traded',
    );
    for (const id of ids) expect((await h.app.signals.get(id))?.state).toBe('rejected');
    const orders = await h.app.db.query<{ signal_id: string }>('SELECT signal_id FROM orders');
    expect(orders.map((row) => row.signal_id)).toEqual([traded]);
  });

  it('stay refused when no engine took them before the halt was lifted (they traded late before)', async () => {
    const accepted: string[] = [];
    // Stored while no engine consumes (a standby's intake with the leader down, a backlog): the
    // operator halts, signals arrive, the operator lifts the halt, and only then an engine starts.
    harness = await startHarness(
      {},
      {},
      {
        beforeStart: async (app) => {
          await app.killSwitch.set('HALTED', {
            source: 'operator',
            by: 'alice',
            reason: 'exchange maintenance',
          });
          const nowMs = Date.now();
          for (const id of ['late-1', 'late-2']) {
            const result = await app.signals.accept(
              storedBuy(nowMs, `cid:${id}`, { clientId: id, alertTimeSource: 'alert' }),
            );
            accepted.push(result.signalId);
          }
          await app.killSwitch.set('RUNNING', {
            source: 'operator',
            by: 'alice',
            reason: 'maintenance over',
          });
        },
      },
    );
    const h = harness;
    // A signal sent after the halt trades: once it has, the engine has passed everything before it.
    const after = await h.webhook(order('after-1'));
    const traded = String(after.json.signalId);
    await h.waitFor(
      async () => (await h.app.signals.get(traded))?.state === 'executed',
      'the later signal traded',
    );
    await h.app.engine.stop();
    for (const id of accepted) expect((await h.app.signals.get(id))?.state).toBe('rejected');
    const orders = await h.app.db.query<{ signal_id: string }>('SELECT signal_id FROM orders');
    expect(orders.map((row) => row.signal_id)).toEqual([traded]);
  });

  it('still pass a cancel to the engine, which cancels while HALTED', async () => {
    harness = await startHarness();
    const h = harness;
    await h.app.killSwitch.set('HALTED', { source: 'operator', by: 'alice', reason: 'maintenance' });
    const answer = await h.webhook({ id: 'c-1', action: 'cancel', symbol: 'BTCIRT' });
    expect(answer.status, JSON.stringify(answer.json)).toBe(202);
    const signalId = String(answer.json.signalId);
    const ended = await h.waitFor(async () => {
      const stored = await h.app.signals.get(signalId);
      return stored?.state === 'executed' || stored?.state === 'rejected' ? stored : undefined;
    }, 'the engine ends the cancel');
    expect(ended).toMatchObject({ state: 'executed', lastError: 'no open orders to cancel' });
  });
});
