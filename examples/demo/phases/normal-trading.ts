// Phase 1: alerts arrive over HTTP, Keel decides, journals, places and verifies each order to FILLED.
import { clientOrderIdFor } from '../../../src/exchange/order-journal/order-intent.js';
import type { DemoContext, DemoSignal } from '../demo-context.js';
import { check } from '../demo-errors.js';
import type { DemoPhase } from './phase.js';

// Amounts differ across the whole demo: Nobitex refuses an identical order within 10 s (DuplicateOrder).
const SIGNALS: readonly DemoSignal[] = [
  { side: 'buy', amount: '0.002' },
  { side: 'sell', amount: '0.001' },
  { side: 'buy', amount: '0.0011' },
];

export const normalTrading: DemoPhase = {
  title: 'Normal trading',
  async run(context: DemoContext) {
    const { progress } = context;
    progress.narrate(`TradingView sends ${SIGNALS.length} alerts to the webhook (BTCIRT market orders)`);
    const ids: string[] = [];
    for (const signal of SIGNALS) {
      const id = await context.sendSignal(signal);
      ids.push(id);
      progress.narrate(`${signal.side} ${signal.amount} BTC accepted as signal ${id}`);
    }
    await progress.step('Keel decides, journals, places and verifies each order', async () => {
      for (const id of ids) await context.awaitExecuted(id, 15_000);
    });
    for (const id of ids) {
      const order = await context.app.journal.getBySignal(id);
      check(order !== undefined, `signal ${id} executed without a journaled order`);
      check(order.state === 'FILLED', `order for signal ${id} is ${order.state}, expected FILLED`);
      const onExchange = context.exchangeOrdersFor(clientOrderIdFor(id));
      check(
        onExchange.length === 1,
        `signal ${id} has ${onExchange.length} orders on the exchange, expected 1`,
      );
      progress.ok(
        `order ${order.clientOrderId} FILLED: ${order.filledAmount.toString()} BTC (exchange order #${onExchange[0]?.id})`,
      );
    }
  },
};
