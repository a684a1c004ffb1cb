// Goal (issue 14, done-when): in paper mode, an alert buying with stopLoss and takeProfit ends with the
// entry FILLED and an OCO pair on the simulator; moving the simulated price through the stop fills the
// stop leg, cancels the take-profit leg and books the fill: the ledger still equals the exchange's
// wallets, and GET /api/positions shows the strategy flat with its realized loss.
// Method: a whole Keel in paper mode over HTTP; the simulator's price is moved on purpose.
import { afterEach, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/core/decimal.js';
import { SIMULATOR_DEFAULT_TOKEN } from '../../src/exchange/simulator/index.js';
import { type Harness, startHarness } from './app-harness.js';

describe('protective orders in paper mode', () => {
  let harness: Harness | undefined;
  afterEach(async () => harness?.close());

  it('protects a filled buy with an OCO pair and exits through the stop when the price falls', async () => {
    harness = await startHarness({ verification: { pollIntervalMs: 100, pollIntervalMaxMs: 500 } });
    const { app } = harness;
    const simulator = app.exchange.simulator!;
    const sells = () => simulator.groundTruthOrders().filter((order) => order.type === 'sell');
    const answer = await harness.webhook({
      symbol: 'BTCIRT',
      side: 'buy',
      amount: '0.004', // within the default maximum order value
      strategy: 'swing',
      stopLoss: '2%',
      takeProfit: '3%',
    });
    expect(answer.status).toBe(202);
    const signalId = String(answer.json.signalId);
    const pair = await harness.waitFor(() => (sells().length === 2 ? sells() : undefined), 'the OCO pair');
    expect((await app.journal.getBySignal(signalId))?.state).toBe('FILLED');
    expect(pair.map((order) => [order.execution, order.status])).toEqual([
      ['limit', 'Active'],
      ['stop_limit', 'Inactive'],
    ]);

    simulator.setPrice('BTCIRT', pair[1]!.stopPrice!);
    const entry = (await app.journal.getBySignal(signalId))!;
    const rows = await harness.waitFor(async () => {
      const found = await app.journal.protectiveOrders(entry.id);
      return found.some((row) => row.state === 'FILLED') && found.every((row) => row.state !== 'ACCEPTED')
        ? found
        : undefined;
    }, 'the stop leg filled and the take-profit cancelled');
    expect(rows.map((row) => [row.role, row.state])).toEqual([
      ['oco', 'CANCELLED'],
      ['oco_stop', 'FILLED'],
    ]);
    expect(sells().map((order) => order.status)).toEqual(['Canceled', 'Done']);
    const wallets = simulator.wallets(SIMULATOR_DEFAULT_TOKEN);
    for (const asset of ['btc', 'rls'])
      expect(app.ledger.balances(asset).total.toFixed(), asset).toBe(
        new Decimal(wallets[asset]!.balance).toFixed(),
      );
    expect(app.alerts.openAlerts().filter((alert) => alert.key.startsWith('protection.'))).toEqual([]);

    // The exit belongs to the entry's strategy: it is flat again, with the stop's loss realized.
    const positions = (await app.server.inject({ method: 'GET', url: '/api/positions' })).json() as {
      positions: { strategy: string; symbol: string; position: string; realizedPnl: string }[];
    };
    const swing = positions.positions.find((row) => row.strategy === 'swing' && row.symbol === 'BTCIRT');
    expect(swing).toBeDefined();
    expect(new Decimal(swing!.position).isZero()).toBe(true);
    expect(new Decimal(swing!.realizedPnl).isNegative()).toBe(true);
  });
});
