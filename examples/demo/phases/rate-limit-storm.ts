// Phase 5: the exchange answers 429 with a back-off. Keel puts the budget in the penalty box, sends
// nothing on it until the back-off ends, then continues. A zero-latency chaos rule counts requests.
import type { AdapterRateLimitPenaltyEvent } from '../../../src/exchange/enhanced-nobitex-adapter/adapter-events.js';
import { clientOrderIdFor } from '../../../src/exchange/order-journal/order-intent.js';
import type { DemoContext } from '../demo-context.js';
import { check } from '../demo-errors.js';
import { sleep, waitFor } from '../wait.js';
import type { DemoPhase } from './phase.js';

const PLACE_PATH = '/market/orders/add';
/** How long before the back-off ends the silence is checked, ms. */
const CHECK_BEFORE_END_MS = 150;

export const rateLimitStorm: DemoPhase = {
  title: 'Rate-limit storm',
  async run(context: DemoContext) {
    const { progress, simulator, app } = context;
    const { backOffSeconds } = context.timings;
    const counted = () => simulator.chaos.stats().latency;
    const penalties: { event: AdapterRateLimitPenaltyEvent; requestsSoFar: number }[] = [];
    const subscription = app.exchange.adapter.onRateLimitPenalty((event) =>
      penalties.push({ event, requestsSoFar: counted() }),
    );
    const rules = simulator.chaos.add([
      { kind: 'latency', path: PLACE_PATH, latencyMs: 0 },
      { kind: 'rateLimitStorm', path: PLACE_PATH, backOffSeconds, limit: 10, countMax: 1 },
    ]);
    try {
      progress.narrate(
        `The exchange starts refusing orders: 429 Too Many Requests, "back off ${backOffSeconds} s"`,
      );
      const id = await context.sendSignal({ side: 'sell', amount: '0.0015' });
      const penalty = await progress.step('Keel receives the 429 and applies the penalty', () =>
        waitFor(() => penalties[0], { timeoutMs: 10_000, what: 'a rate-limit penalty' }),
      );
      progress.ok(
        `budget '${penalty.event.key}' paused ${(penalty.event.backOffMs / 1_000).toFixed(1)} s as asked; warning alert raised`,
      );
      const silentUntilMs = penalty.event.untilMs - CHECK_BEFORE_END_MS;
      await progress.step(
        'No order request leaves while the back-off lasts',
        () => sleep(Math.max(0, silentUntilMs - Date.now())),
        { expectedMs: Math.max(0, silentUntilMs - Date.now()) },
      );
      const during = counted() - penalty.requestsSoFar;
      check(during === 0, `${during} order request(s) reached the exchange during the back-off`);
      progress.ok('0 requests to the exchange during the back-off');
      await progress.step('The back-off ends; the same order goes out once', () =>
        context.awaitExecuted(id, 15_000),
      );
      check(counted() > penalty.requestsSoFar, 'no order request was sent after the back-off');
      const onExchange = context.exchangeOrdersFor(clientOrderIdFor(id));
      check(onExchange.length === 1, `signal ${id} has ${onExchange.length} exchange orders, expected 1`);
      const alert = app.alerts.openAlerts().find((candidate) => candidate.key.startsWith('rate-limit.'));
      check(alert !== undefined, 'no rate-limit alert was raised');
      progress.ok(`executed after the pause; alert [${alert.severity}] ${alert.title}`);
    } finally {
      subscription.dispose();
      simulator.chaos.clear(rules.map((rule) => rule.id));
    }
  },
};
