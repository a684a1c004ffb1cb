// Goal (issue 14): two strategies on one symbol keep separate positions; `action: close` from an alert
// flattens one and leaves the other; `action: cancel` cancels one strategy's resting orders only; the
// CLI shows positions and an order's audit trail, cancels an order and closes a position; holdings of
// all strategies sum to the ledger's balances. Method: a whole Keel in paper mode against its simulator.
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { Decimal } from '../../src/core/decimal.js';
import { type Harness, startHarness } from './app-harness.js';

interface PositionsBody {
  positions: {
    strategy: string;
    symbol: string;
    position: string;
    realizedPnl: string;
    unrealizedPnl: string | null;
  }[];
  holdings: { strategy: string; asset: string; total: string }[];
}

describe('positions per strategy, close and cancel', () => {
  let harness: Harness | undefined;
  afterEach(async () => harness?.close());

  const signalEnded = async (h: Harness, signalId: string) =>
    h.waitFor(async () => {
      const stored = await h.app.signals.get(signalId);
      return stored?.state === 'executed' || stored?.state === 'rejected' ? stored : undefined;
    }, `signal ${signalId}`);
  const send = async (h: Harness, body: Record<string, unknown>) => {
    const answer = await h.webhook(body);
    expect(answer.status, JSON.stringify(answer.json)).toBe(202);
    return signalEnded(h, String(answer.json.signalId));
  };
  const positions = async (h: Harness) =>
    (await h.app.server.inject({ method: 'GET', url: '/api/positions' })).json() as PositionsBody;
  const positionOf = (body: PositionsBody, strategy: string) =>
    new Decimal(
      body.positions.find((row) => row.strategy === strategy && row.symbol === 'BTCIRT')?.position ?? '0',
    );
  const cli = async (h: Harness, args: string[]) => {
    let stdout = '';
    let stderr = '';
    const io = {
      stdout: (text: string) => {
        stdout += text;
      },
      stderr: (text: string) => {
        stderr += text;
      },
      env: {},
      cwd: h.dir,
    };
    const code = await main(['node', 'keel', ...args, '--url', h.url], io);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    return JSON.parse(stdout) as unknown;
  };

  it('closes one strategy from an alert and leaves the other, with holdings summing to the ledger', async () => {
    harness = await startHarness();
    const h = harness;
    expect((await send(h, { symbol: 'BTCIRT', side: 'buy', amount: '0.002', strategy: 'trend' })).state).toBe(
      'executed',
    );
    expect(
      (await send(h, { symbol: 'BTCIRT', side: 'buy', amount: '0.004', strategy: 'revert' })).state,
    ).toBe('executed');
    const before = await positions(h);
    expect(positionOf(before, 'trend').gt(0)).toBe(true);
    expect(positionOf(before, 'revert').gt('0.0039')).toBe(true);
    const row = before.positions.find((candidate) => candidate.strategy === 'trend');
    expect(row?.unrealizedPnl).not.toBeNull();

    const closed = await send(h, { action: 'close', symbol: 'BTCIRT', strategy: 'trend' });
    expect(closed.state, closed.lastError).toBe('executed');
    const after = await positions(h);
    // What is left is below the market's amount step (the fee was taken in BTC).
    expect(positionOf(after, 'trend').abs().lt('0.000001')).toBe(true);
    expect(positionOf(after, 'revert').toFixed()).toBe(positionOf(before, 'revert').toFixed());
    for (const asset of h.app.ledger.assets()) {
      const sum = after.holdings
        .filter((holding) => holding.asset === asset)
        .reduce((total, holding) => total.plus(holding.total), new Decimal(0));
      expect(sum.toFixed(), asset).toBe(h.app.ledger.balances(asset).total.toFixed());
    }

    const shown = (await cli(h, ['positions'])) as PositionsBody;
    expect(positionOf(shown, 'revert').toFixed()).toBe(positionOf(before, 'revert').toFixed());
    const queued = (await cli(h, ['close', 'BTCIRT', '--strategy', 'revert'])) as { signalId: string };
    expect((await signalEnded(h, queued.signalId)).state).toBe('executed');
    expect(
      positionOf(await positions(h), 'revert')
        .abs()
        .lt('0.000001'),
    ).toBe(true);
    const closeOrder = await h.app.journal.getBySignal(queued.signalId);
    const detail = (await cli(h, ['orders', 'show', closeOrder!.id])) as {
      order: { side: string; state: string };
      strategy: string;
      audit: { toState: string }[];
      fills: unknown[];
    };
    expect(detail.order).toMatchObject({ side: 'sell', state: 'FILLED' });
    expect(detail.strategy).toBe('revert');
    expect(detail.audit.map((event) => event.toState)).toContain('FILLED');
    expect(detail.fills.length).toBeGreaterThan(0);
  });

  it("cancels one strategy's resting orders from an alert, and one order from the CLI", async () => {
    harness = await startHarness({
      verification: { limitOrderLifetimeMs: 600_000 },
      engine: { orderHoldMaxMs: 500 },
    });
    const h = harness;
    const rest = (strategy: string) =>
      h.webhook({
        symbol: 'BTCIRT',
        side: 'buy',
        amount: '0.001',
        type: 'limit',
        price: '80000000000',
        strategy,
      });
    const trendOrder = String((await rest('trend')).json.signalId);
    const revertOrder = String((await rest('revert')).json.signalId);
    const otherOrder = String((await rest('other')).json.signalId);
    const accepted = (signalId: string) =>
      h.waitFor(async () => {
        const order = await h.app.journal.getBySignal(signalId);
        return order?.state === 'ACCEPTED' ? order : undefined;
      }, `order of ${signalId} resting`);
    const [trend, revert, other] = [
      await accepted(trendOrder),
      await accepted(revertOrder),
      await accepted(otherOrder),
    ];

    const cancelled = await send(h, { action: 'cancel', symbol: 'BTCIRT', strategy: 'trend' });
    expect(cancelled.state, cancelled.lastError).toBe('executed');
    await h.waitFor(
      async () => ((await h.app.journal.get(trend.id))?.state === 'CANCELLED' ? true : undefined),
      'cancelled',
    );
    expect((await h.app.journal.get(revert.id))?.state).toBe('ACCEPTED');

    const outcome = (await cli(h, ['orders', 'cancel', other.id])) as { result: string };
    expect(outcome.result).toBe('cancelled');
    await h.waitFor(
      async () => ((await h.app.journal.get(other.id))?.state === 'CANCELLED' ? true : undefined),
      'cancelled',
    );
    expect((await h.app.journal.get(revert.id))?.state).toBe('ACCEPTED');
    const audit = await h.app.journal.audit({ orderId: other.id });
    expect(audit.map((event) => event.cause).join('\n')).toMatch(/cancel asked by operator /);
  });
});
