// Phases 2 and 3: the exchange goes down, the breakers open, alerts fire and signals wait without
// placing anything; then the exchange comes back, the breakers probe and close, the signals execute.
import type { EndpointGroup } from '../../../src/exchange/connection-pool/transport.js';
import { clientOrderIdFor } from '../../../src/exchange/order-journal/order-intent.js';
import type { DemoContext } from '../demo-context.js';
import { check } from '../demo-errors.js';
import { sleep, waitFor } from '../wait.js';
import type { DemoPhase } from './phase.js';

interface StatusAnswer {
  readonly breakers: readonly { readonly name: string; readonly state: string }[];
}

interface OutageState {
  ruleId: number | undefined;
  signalIds: string[];
  openedGroups: Set<EndpointGroup>;
  exchangeOrderCountBefore: number;
}

/** The outage and its recovery share what the first saw: the rule, the waiting signals, the groups. */
export function createOutagePhases(): [DemoPhase, DemoPhase] {
  const state: OutageState = {
    ruleId: undefined,
    signalIds: [],
    openedGroups: new Set(),
    exchangeOrderCountBefore: 0,
  };
  return [
    { title: 'Exchange outage', run: (context) => runOutage(context, state) },
    { title: 'Recovery', run: (context) => runRecovery(context, state) },
  ];
}

async function runOutage(context: DemoContext, state: OutageState): Promise<void> {
  const { progress, simulator, app } = context;
  state.exchangeOrderCountBefore = simulator.groundTruthOrders().length;
  const changesBefore = context.breakerChanges.length;
  const [rule] = simulator.chaos.add({ kind: 'outage', mode: '503' });
  state.ruleId = rule?.id;
  progress.narrate('The exchange goes down: every request now answers 503 Service Unavailable');
  for (const [side, amount] of [
    ['buy', '0.0012'],
    ['sell', '0.0013'],
  ] as const) {
    const id = await context.sendSignal({ side, amount });
    state.signalIds.push(id);
    progress.narrate(`A ${side} alert arrives during the outage: accepted as ${id}, Keel tries to decide it`);
  }
  const opened = await progress.step('Consecutive failures trip a circuit breaker', () =>
    waitFor(() => context.breakerChanges.slice(changesBefore).find((change) => change.to === 'open'), {
      timeoutMs: 15_000,
      what: 'a circuit breaker to open',
    }),
  );
  progress.ok(`${opened.group} circuit OPEN: calls now fail fast instead of hammering the exchange`);
  const status = await context.api<StatusAnswer>('/status');
  const openInStatus = status.breakers.filter((breaker) => breaker.state === 'open').map((b) => b.name);
  check(openInStatus.length > 0, 'GET /api/status shows no open breaker during the outage');
  progress.ok(`GET /api/status agrees: open breakers ${openInStatus.join(', ')}`);
  const alert = await waitFor(
    () => app.alerts.openAlerts().find((candidate) => candidate.key.startsWith('breaker.')),
    { timeoutMs: 5_000, what: 'a breaker alert' },
  );
  progress.ok(`alert fired [${alert.severity}] ${alert.title}`);
  await progress.step(
    `The outage lasts ${(context.timings.outageHoldMs / 1_000).toFixed(0)} s more; the signals wait`,
    () => sleep(context.timings.outageHoldMs),
    { expectedMs: context.timings.outageHoldMs },
  );
  for (const change of context.breakerChanges.slice(changesBefore))
    if (change.to === 'open') state.openedGroups.add(change.group);
  const probes = context.breakerChanges.slice(changesBefore).filter((change) => change.to === 'halfOpen');
  if (probes.length > 0)
    progress.narrate(`${probes.length} half-open probe(s) failed meanwhile: the breaker re-opened each time`);
  const states: string[] = [];
  for (const id of state.signalIds) {
    const stored = await context.signal(id);
    check(
      stored.state === 'processing' || stored.state === 'received',
      `signal ${id} is ${stored.state} during the outage, expected it to wait (processing)`,
    );
    // The order may be journaled and wait: PREPARED (held by the open circuit) or UNKNOWN (sent into the
    // outage, a 503 after sending is ambiguous: Keel will ask before it ever resends). Never on the exchange.
    const order = await app.journal.getBySignal(id);
    check(
      order === undefined || ['PREPARED', 'SUBMITTING', 'UNKNOWN'].includes(order.state),
      `signal ${id}'s order is ${order?.state} during the outage, expected it waiting (PREPARED or UNKNOWN)`,
    );
    check(
      !groundTruthHas(app, order?.clientOrderId),
      `signal ${id}'s order reached the exchange during the outage`,
    );
    states.push(stored.state);
  }
  check(states[0] === 'processing', `the first outage signal is ${states[0]}, expected processing`);
  const placed = simulator.groundTruthOrders().length - state.exchangeOrderCountBefore;
  check(placed === 0, `${placed} order(s) reached the exchange during the outage`);
  progress.ok(
    `signals waiting: ${states.join(', ')} (one symbol's signals run in order); no order journaled or placed`,
  );
}

async function runRecovery(context: DemoContext, state: OutageState): Promise<void> {
  const { progress, simulator, app } = context;
  check(state.ruleId !== undefined, 'the outage rule was never added');
  simulator.chaos.clear([state.ruleId]);
  progress.narrate('The exchange is back; each open breaker lets one probe through when its break ends');
  progress.narrate(
    '(the connection pool re-admits the endpoint after its own health cool-down, so a probe may fail once more)',
  );
  const groups = [...state.openedGroups];
  await progress.step(
    'The waiting signals are decided and executed as soon as calls get through',
    async () => {
      for (const id of state.signalIds)
        await context.awaitExecuted(id, context.timings.breakDurationMs * 3 + 15_000);
    },
  );
  // A breaker moves only when called: a group the signals no longer need gets a read, as a dashboard would.
  const nudgedAtMs = new Map<EndpointGroup, number>();
  await progress.step(
    `Every opened breaker went half-open, its probe succeeded, it closed (${groups.join(', ')})`,
    () =>
      waitFor(
        async () => {
          const states = (await app.exchange.adapter.stats()).breakers;
          const open = groups.filter((group) => states[group].state !== 'closed');
          for (const group of open) nudge(context, group, nudgedAtMs);
          return open.length === 0 ? true : undefined;
        },
        {
          timeoutMs: context.timings.breakDurationMs * 3 + 10_000,
          what: 'the breakers to close',
          intervalMs: 100,
        },
      ),
    { expectedMs: context.timings.breakDurationMs },
  );
  for (const group of groups) {
    const path = pathSinceLastOpen(context, group);
    check(path.includes('halfOpen'), `the ${group} breaker closed without a half-open probe`);
    check(path.at(-1) === 'closed', `the ${group} breaker ended ${path.at(-1)}, expected closed`);
    progress.ok(`${group}: open → ${path.join(' → ')}`);
  }
  for (const id of state.signalIds) {
    const onExchange = context.exchangeOrdersFor(clientOrderIdFor(id));
    check(onExchange.length === 1, `signal ${id} has ${onExchange.length} exchange orders, expected 1`);
  }
  progress.ok(`${state.signalIds.length} waiting signals executed, one exchange order each`);
  await waitFor(
    () => (app.alerts.openAlerts().some((alert) => alert.key.startsWith('breaker.')) ? undefined : true),
    { timeoutMs: 5_000, what: 'the breaker alerts to resolve' },
  );
  progress.ok('breaker alerts resolved automatically');
}

/** The group's transitions after it last opened: the recovery, e.g. halfOpen → closed. */
function pathSinceLastOpen(context: DemoContext, group: EndpointGroup): string[] {
  const changes = context.breakerChanges.filter((change) => change.group === group);
  let lastOpen = -1;
  changes.forEach((change, index) => {
    if (change.to === 'open') lastOpen = index;
  });
  return changes.slice(lastOpen + 1).map((change) => change.to);
}

/** Pause between reads that give an idle breaker its probe, ms. */
const NUDGE_INTERVAL_MS = 1_000;

/** One cheap read in the group, at most once per NUDGE_INTERVAL_MS; its failure is the breaker's business. */
function nudge(context: DemoContext, group: EndpointGroup, nudgedAtMs: Map<EndpointGroup, number>): void {
  const nowMs = Date.now();
  if (nowMs - (nudgedAtMs.get(group) ?? 0) < NUDGE_INTERVAL_MS) return;
  nudgedAtMs.set(group, nowMs);
  const { adapter } = context.app.exchange;
  const read =
    group === 'marketData'
      ? adapter.getMarketStats({ src: ['btc'], dst: ['rls'] }, { allowStale: false })
      : group === 'account'
        ? adapter.getWallets({ allowStale: false })
        : adapter.listOrders({ status: 'open', details: 2 });
  read.catch(() => undefined);
}

function groundTruthHas(
  app: { exchange: { simulator?: { groundTruthOrders(): { clientOrderId: string | null }[] } | undefined } },
  clientOrderId: string | undefined,
): boolean {
  if (clientOrderId === undefined) return false;
  return (app.exchange.simulator?.groundTruthOrders() ?? []).some(
    (order) => order.clientOrderId === clientOrderId,
  );
}
