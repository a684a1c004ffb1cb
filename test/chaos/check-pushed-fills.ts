// Invariants of fills pushed over the WebSocket (issue 16), beside the ones every run checks (each
// trade posted once, every order resolved, ledger equal to the wallets): while the link is down,
// verification falls back to REST. In every stretch of a gap this long, each order waiting on the
// exchange through it must be looked up by REST (at the polling pace, not the slow safety-net pace
// kept while the link is up). Lookups are counted per order, so no other order's (or reconciliation's
// bulk lists) stand in for it.
import type { ChaosPushNetwork } from './push-world.js';
import type { ChaosWorld } from './world.js';

/** Longest a gap may pass, with an order waiting, without a verification lookup, ms. */
export const FALLBACK_WITHIN_MS = 60_000;
/** States in which only asking the exchange (or a push) moves an order on. */
const WAITING = new Set(['ACCEPTED', 'PARTIALLY_FILLED']);

export async function checkRestDuringGaps(world: ChaosWorld, push: ChaosPushNetwork): Promise<string[]> {
  const events = await world.app.db.query<{ order_id: string; to_state: string; at_ms: number }>(
    'SELECT order_id, to_state, at_ms FROM order_events ORDER BY seq',
  );
  const problems: string[] = [];
  for (const gap of push.gaps) {
    const since = push.tradingSince.get(gap.generation);
    if (since === undefined) continue; // that app never finished starting: nothing was verifying
    const fromMs = Math.max(gap.fromMs, since);
    const toMs = gap.toMs ?? world.clock.nowMs();
    for (let startMs = fromMs; startMs + FALLBACK_WITHIN_MS <= toMs; startMs += FALLBACK_WITHIN_MS) {
      const endMs = startMs + FALLBACK_WITHIN_MS;
      const asked = new Set(
        push.lookups.filter(({ atMs }) => atMs >= startMs && atMs <= endMs).map(({ key }) => key),
      );
      const unasked: string[] = [];
      for (const orderId of waitingThrough(events, startMs, endMs)) {
        const intent = await world.app.journal.get(orderId);
        if (intent === undefined || asked.has(intent.clientOrderId)) continue;
        if (intent.exchangeOrderId !== null && asked.has(intent.exchangeOrderId)) continue;
        unasked.push(orderId);
      }
      if (unasked.length === 0) continue;
      problems.push(
        `the fill stream was down from ${fromMs} to ${toMs} (fake ms) and orders ${unasked.join(', ')} waited from ${startMs} to ${endMs} with no REST lookup`,
      );
      break;
    }
  }
  return problems;
}

/** Orders waiting on the exchange at fromMs that did not end by endMs. */
function waitingThrough(
  events: readonly { order_id: string; to_state: string; at_ms: number }[],
  fromMs: number,
  endMs: number,
): string[] {
  const stateAt = new Map<string, string>();
  const endedBy = new Set<string>();
  for (const event of events) {
    const atMs = Number(event.at_ms);
    if (atMs <= fromMs) stateAt.set(event.order_id, event.to_state);
    else if (atMs <= endMs && !WAITING.has(event.to_state)) endedBy.add(event.order_id);
  }
  return [...stateAt].filter(([id, state]) => WAITING.has(state) && !endedBy.has(id)).map(([id]) => id);
}
