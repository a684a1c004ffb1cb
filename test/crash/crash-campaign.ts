// One crash campaign: start `keel start`, stream alerts, SIGKILL it at a seeded kill point, restart on
// the same data dir, repeat; then a final clean run until every signal and order is terminal.
import { Decimal } from '../../src/core/decimal.js';
import { createRng, pick, type Rng, randomInt } from '../../src/core/random.js';
import {
  alertBody,
  getJson,
  type KeelProcess,
  killHard,
  pause,
  postWebhook,
  type StartOptions,
  startKeel,
  stopGracefully,
} from './keel-process.js';

export type KillPoint = 'after-202' | 'orders-in-flight' | 'random' | 'startup';
const KILL_POINTS: readonly KillPoint[] = ['after-202', 'orders-in-flight', 'random', 'startup'];
const LIVE_ORDER_STATES = new Set(['PREPARED', 'SUBMITTING', 'ACCEPTED', 'UNKNOWN', 'PARTIALLY_FILLED']);
const TERMINAL_SIGNAL_STATES = new Set(['executed', 'rejected']);
const SIGNALS_PER_CYCLE_MAX = 8;

/** A distinct amount per alert (0.001 BTC plus n satoshi-ish steps), so no two orders are identical. */
const amountOf = (n: number): string =>
  new Decimal('0.001').plus(new Decimal(n % 100_000).times('0.000001')).toFixed();

export interface CampaignResult {
  /** signalId → alert id of every alert answered 202. */
  readonly accepted: Map<string, string>;
  readonly killPoints: KillPoint[];
  readonly sentCount: number;
  readonly finalExit: string;
  readonly finalOutput: string;
  /** Empty when the final run settled; otherwise what was still open at its deadline. */
  readonly unsettled: string;
  /** Orders still live at the end of the final run, as the API showed them. */
  readonly liveOrders: LiveOrder[];
  /** When the final run printed its banner, epoch ms. */
  readonly finalStartMs: number;
}

export interface CampaignOptions {
  readonly seed: number;
  readonly kills: number;
  readonly start: StartOptions;
  /** Runs after the final run settled, before it is stopped (e.g. POST /api/reconcile). */
  readonly beforeFinalStop?: (keel: KeelProcess) => Promise<void>;
  /** Called after each SIGKILL (progress). */
  readonly onKill?: (point: KillPoint) => void;
  /** Longest wait for the final run to settle, ms. */
  readonly settleTimeoutMs: number;
}

export async function runCrashCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const rng = createRng(options.seed);
  const state = { accepted: new Map<string, string>(), next: 0 };
  const killPoints: KillPoint[] = [];
  for (let cycle = 0; cycle < options.kills; cycle++) {
    const keel = await startKeel(options.start);
    const point = cycle < KILL_POINTS.length ? (KILL_POINTS[cycle] as KillPoint) : pick(rng, KILL_POINTS);
    killPoints.push(point);
    await runCycle(keel, point, rng, state, options.seed);
    options.onKill?.(point);
  }
  const keel = await startKeel(options.start);
  const finalStartMs = Date.now();
  const settled = await settle(keel, state.accepted, options.settleTimeoutMs);
  // Every alert answered 202 was on disk: sending it again is a duplicate of the same signal.
  for (const [signalId, alertId] of state.accepted) {
    const answer = await postWebhook(keel.url, alertBody(alertId, 'buy'));
    if (answer?.status !== 200 || answer.body.signalId !== signalId)
      throw new Error(`replay of ${alertId} answered ${JSON.stringify(answer)}, expected 200 ${signalId}`);
  }
  await options.beforeFinalStop?.(keel);
  const finalExit = await stopGracefully(keel);
  return {
    accepted: state.accepted,
    killPoints,
    sentCount: state.next,
    finalExit,
    finalOutput: keel.output(),
    ...settled,
    finalStartMs,
  };
}

async function runCycle(
  keel: KeelProcess,
  point: KillPoint,
  rng: Rng,
  state: { accepted: Map<string, string>; next: number },
  seed: number,
): Promise<void> {
  let stopped = false;
  let acceptedThisCycle = 0;
  // Bounded per cycle: the engine must be able to finish them all in the final run.
  let budget = SIGNALS_PER_CYCLE_MAX;
  const stream = async () => {
    while (!stopped && budget-- > 0) {
      const n = state.next++;
      const alertId = `crash-${seed}-${n}`;
      const answer = await postWebhook(
        keel.url,
        alertBody(alertId, n % 2 === 0 ? 'buy' : 'sell', amountOf(n)),
      );
      if (answer === undefined) return; // the process is gone
      if (answer.status === 202) {
        state.accepted.set(String(answer.body.signalId), alertId);
        acceptedThisCycle++;
      }
      await pause(randomInt(rng, 5, 60));
    }
  };
  const streams = point === 'startup' ? [] : [stream(), stream()];
  const deadline = Date.now() + 2_000;
  if (point === 'after-202') {
    const target = randomInt(rng, 1, 6);
    while (acceptedThisCycle < target && Date.now() < deadline) await pause(2);
  } else if (point === 'orders-in-flight') {
    const target = randomInt(rng, 1, 3);
    while (Date.now() < deadline) {
      const orders = (await getJson(`${keel.url}/api/orders?limit=1000`)) as { state: string }[] | undefined;
      if ((orders ?? []).filter((order) => LIVE_ORDER_STATES.has(order.state)).length >= target) break;
      await pause(randomInt(rng, 0, 10));
    }
  } else if (point === 'random') {
    await pause(randomInt(rng, 0, 900));
  } else {
    // Right after the banner: start-up recovery resumes and verifies the orders the last kill left open.
    await pause(randomInt(rng, 0, 250));
  }
  await killHard(keel);
  stopped = true;
  await Promise.all(streams);
}

/** Polls the API until every accepted signal is terminal and no order is live. */
export interface LiveOrder {
  readonly id: string;
  readonly state: string;
  readonly exchangeOrderId: string | null;
  readonly updatedAtMs: number;
}

async function settle(
  keel: KeelProcess,
  accepted: Map<string, string>,
  timeoutMs: number,
): Promise<{ unsettled: string; liveOrders: LiveOrder[] }> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let live: LiveOrder[] = [];
  while (Date.now() < deadline) {
    const signals = (await getJson(`${keel.url}/api/signals?limit=1000`)) as
      | { id: string; state: string }[]
      | undefined;
    const orders = (await getJson(`${keel.url}/api/orders?limit=1000`)) as LiveOrder[] | undefined;
    if (signals !== undefined && orders !== undefined) {
      const byId = new Map(signals.map((signal) => [signal.id, signal.state]));
      const open = [...accepted.keys()].filter(
        (id) => !TERMINAL_SIGNAL_STATES.has(byId.get(id) ?? 'missing'),
      );
      const openSignals = signals.filter((signal) => !TERMINAL_SIGNAL_STATES.has(signal.state));
      const liveOrders = orders.filter((order) => LIVE_ORDER_STATES.has(order.state));
      live = liveOrders;
      const sample = signals.filter((s) => !TERMINAL_SIGNAL_STATES.has(s.state)).slice(0, 5);
      last = `${JSON.stringify(sample)} ${JSON.stringify(liveOrders.slice(0, 3))} accepted not terminal: ${open.length}, signals open: ${openSignals.length}, live orders: ${liveOrders.length}`;
      if (open.length === 0 && openSignals.length === 0 && liveOrders.length === 0)
        return { unsettled: '', liveOrders: [] };
    }
    await pause(100);
  }
  return { unsettled: last === '' ? 'the API never answered' : last, liveOrders: live };
}
