// Phase 4: the exchange places the order but the answer is lost (502). Keel journals UNKNOWN, never
// resends blindly, asks the exchange by clientOrderId, finds the order, and ends with exactly one.
import { clientOrderIdFor } from '../../../src/exchange/order-journal/order-intent.js';
import type { DemoContext } from '../demo-context.js';
import { check } from '../demo-errors.js';
import type { DemoPhase } from './phase.js';

export const ambiguousOrder: DemoPhase = {
  title: 'Ambiguous order',
  async run(context: DemoContext) {
    const { progress, simulator, app } = context;
    const [rule] = simulator.chaos.add({
      kind: 'commitThenFail',
      path: '/market/orders/add',
      method: 'POST',
      failWith: 'error',
      status: 502,
      countMax: 1,
    });
    progress.narrate(
      'Next order: the exchange will place it, then answer 502 Bad Gateway (the reply is lost)',
    );
    const id = await context.sendSignal({ side: 'buy', amount: '0.0014' });
    const clientOrderId = clientOrderIdFor(id);
    progress.narrate(`Signal ${id} → order ${clientOrderId}`);
    try {
      await progress.step('Keel marks the order UNKNOWN and asks the exchange before anything else', () =>
        context.awaitExecuted(id, 20_000),
      );
    } finally {
      if (rule !== undefined) simulator.chaos.clear([rule.id]);
    }
    const fired = simulator.chaos.stats().commitThenFail;
    check(fired >= 1, 'the commitThenFail fault never fired');
    const order = await app.journal.getBySignal(id);
    check(order !== undefined, `signal ${id} has no journaled order`);
    const trail = await app.journal.audit({ orderId: order.id, limit: 100 });
    const states = trail.map((event) => event.toState);
    check(states.includes('UNKNOWN'), `the journal never recorded UNKNOWN (trail: ${states.join(' → ')})`);
    progress.ok(`journal trail: ${states.join(' → ')}`);
    const onExchange = context.exchangeOrdersFor(clientOrderId);
    check(
      onExchange.length === 1,
      `${onExchange.length} exchange orders carry ${clientOrderId}, expected exactly 1`,
    );
    check(order.state === 'FILLED', `the order ended ${order.state}, expected FILLED`);
    progress.ok(`found on the exchange as order #${onExchange[0]?.id}: exactly one order, no duplicate`);
  },
};
