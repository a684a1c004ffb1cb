// The invariants of design.md §Invariants, checked against ground truth: the simulator's own books for
// what the exchange holds, the database rows for what Keel believes. Each check returns violations as
// sentences; an empty list means the invariant holds.
import { type Decimal, parseDecimal } from '../../src/core/decimal.js';
import { clientOrderIdFor } from '../../src/exchange/order-journal/order-intent.js';
import { isTerminal } from '../../src/exchange/order-journal/order-state.js';
import { SIMULATOR_DEFAULT_TOKEN } from '../../src/exchange/simulator/index.js';
import { WEBHOOK_PASSPHRASE } from './scenario.js';
import type { ChaosWorld } from './world.js';

/** What the harness saw at the webhook: every 2xx answer with its signal id. */
export interface Observations {
  readonly accepted: Set<string>;
  /** Signal ids answered 2xx but not found in the signals table right after the answer. */
  readonly missingAfterAnswer: string[];
  /** Status of the final reconciliation, for the report. */
  reconciliation: string;
  /** Per currency, the sum of |balance changes| injected behind Keel's back (drift, setBalance). */
  readonly driftAbs: Map<string, Decimal>;
  /** 401s the simulator answered to the account holder's own requests (manual trades), not to Keel. */
  holderAuthFailures: number;
}

export const newObservations = (): Observations => ({
  accepted: new Set(),
  missingAfterAnswer: [],
  reconciliation: 'none',
  driftAbs: new Map(),
  holderAuthFailures: 0,
});

/**
 * (1) at most one exchange order per accepted signal, and no order without one; a protective order
 * (issue 14, clientOrderIds in `protective`) is placed at most once too.
 */
export function checkOneOrderPerSignal(
  world: ChaosWorld,
  seen: Observations,
  protective: ReadonlySet<string> = new Set(),
): string[] {
  const problems: string[] = [];
  const signalByClientId = new Map<string, string>();
  for (const id of seen.accepted) signalByClientId.set(clientOrderIdFor(id), id);
  const counts = new Map<string, number[]>();
  for (const order of world.simulator.groundTruthOrders()) {
    if (order.clientOrderId === null) continue; // the account holder's own orders: Keel always sends one
    const key = order.clientOrderId;
    counts.set(key, [...(counts.get(key) ?? []), order.id]);
  }
  for (const [clientOrderId, ids] of counts) {
    const signalId = signalByClientId.get(clientOrderId);
    if (protective.has(clientOrderId)) {
      if (ids.length > 1)
        problems.push(`protective order ${clientOrderId} placed ${ids.length} times: ${ids.join(',')}`);
      continue;
    }
    if (signalId === undefined)
      problems.push(
        `exchange orders ${ids.join(',')} (clientOrderId ${clientOrderId}) belong to no accepted signal`,
      );
    else if (ids.length > 1)
      problems.push(`signal ${signalId} has ${ids.length} exchange orders: ${ids.join(',')}`);
  }
  return problems;
}

/** (3) every asset balances; each exchange trade posted once. */
export async function checkLedger(world: ChaosWorld): Promise<string[]> {
  const { ledger, db } = world.app;
  const problems: string[] = [];
  for (const asset of ledger.assets())
    if (!ledger.isBalanced(asset)) problems.push(`ledger does not balance for ${asset}`);
  const doubled = await db.query<{ kind: string; trade_id: string; n: number }>(
    `SELECT kind, trade_id, COUNT(*) AS n FROM ledger_postings WHERE trade_id IS NOT NULL
     GROUP BY kind, trade_id HAVING COUNT(*) > 1`,
  );
  for (const row of doubled) problems.push(`trade ${row.trade_id} posted ${row.n} times as ${row.kind}`);
  return problems;
}

/**
 * Every exchange trade of Keel's orders has a posting (checked once everything has settled); the
 * account holder's own trades (orders without a clientOrderId) are not Keel's to post.
 */
export async function checkFillsPosted(world: ChaosWorld): Promise<string[]> {
  const rows = await world.app.db.query<{ trade_id: string }>(
    'SELECT DISTINCT trade_id FROM ledger_postings WHERE trade_id IS NOT NULL',
  );
  const posted = new Set(rows.map((r) => r.trade_id));
  // An OCO's stop leg has no clientOrderId on the exchange: the journal knows it by its id.
  const truth = world.simulator.groundTruthOrders();
  const journaled = await world.app.journal.knownExchangeOrderIds(truth.map((o) => String(o.id)));
  const keelOrders = new Set(
    truth.filter((o) => o.clientOrderId !== null || journaled.has(String(o.id))).map((o) => o.id),
  );
  return world.simulator
    .trades()
    .filter(
      (t) => t.token === SIMULATOR_DEFAULT_TOKEN && keelOrders.has(t.orderId) && !posted.has(String(t.id)),
    )
    .map((t) => `exchange trade ${t.id} (order ${t.orderId}) was never posted to the ledger`);
}

/** The journal's filled amount of each order equals what the exchange matched for it. */
export async function checkFillsMatch(world: ChaosWorld): Promise<string[]> {
  const rows = await world.app.db.query<{ client_order_id: string; filled_amount: string; state: string }>(
    'SELECT client_order_id, filled_amount, state FROM orders',
  );
  const journal = new Map(rows.map((r) => [r.client_order_id, r]));
  const problems: string[] = [];
  for (const order of world.simulator.groundTruthOrders()) {
    const row = order.clientOrderId === null ? undefined : journal.get(order.clientOrderId);
    if (row === undefined) continue; // checkTerminal reports it
    if (!parseDecimal(row.filled_amount, 'filled_amount').eq(parseDecimal(order.matchedAmount, 'matched')))
      problems.push(
        `order ${order.id}: exchange matched ${order.matchedAmount} but the journal has ${row.filled_amount} (${row.state})`,
      );
  }
  return problems;
}

/** (5) a webhook answered 2xx is in the signals table. */
export async function checkDurable(world: ChaosWorld, seen: Observations): Promise<string[]> {
  const problems = seen.missingAfterAnswer.map((id) => `signal ${id} answered 2xx but not stored`);
  const rows = await world.app.db.query<{ id: string }>('SELECT id FROM signals');
  const stored = new Set(rows.map((r) => r.id));
  for (const id of seen.accepted) if (!stored.has(id)) problems.push(`signal ${id} answered 2xx but lost`);
  return problems;
}

/** (2) every accepted signal and every order ended; quarantine only with an alert. */
export async function checkTerminal(world: ChaosWorld, seen: Observations): Promise<string[]> {
  const { db } = world.app;
  const problems: string[] = [];
  const signals = await db.query<{ id: string; state: string }>('SELECT id, state FROM signals');
  const alertKeys = new Set(
    (await db.query<{ dedup_key: string }>('SELECT dedup_key FROM alerts')).map((a) => a.dedup_key),
  );
  for (const s of signals) {
    if (!seen.accepted.has(s.id)) continue;
    if (s.state === 'executed' || s.state === 'rejected') continue;
    if (s.state === 'quarantined' && alertKeys.has(`signal.quarantined.${s.id}`)) continue;
    problems.push(`signal ${s.id} ended in state ${s.state}`);
  }
  // Protective orders are good till cancelled: they may rest once everything has settled, but one
  // whose placing is not resolved yet (sending, or UNKNOWN) is work still running.
  for (const intent of await world.app.journal.listNonTerminal())
    if (intent.role === 'entry' || intent.state === 'SUBMITTING' || intent.state === 'UNKNOWN')
      problems.push(`order ${intent.id} of signal ${intent.signalId} still ${intent.state}`);
  const journalByClientId = new Map<string, string>();
  const orders = await db.query<{ client_order_id: string; state: string; role: string }>(
    'SELECT client_order_id, state, role FROM orders',
  );
  for (const o of orders) journalByClientId.set(o.client_order_id, o.state);
  const protective = new Set(orders.filter((o) => o.role !== 'entry').map((o) => o.client_order_id));
  for (const order of world.simulator.groundTruthOrders()) {
    if (order.clientOrderId === null) continue; // the account holder's own orders (or an OCO stop leg)
    if (protective.has(order.clientOrderId)) continue; // checkProtection looks at these
    if (order.status === 'Active')
      problems.push(`exchange order ${order.id} (${order.clientOrderId}) is still open on the exchange`);
    const state = journalByClientId.get(order.clientOrderId);
    if (state === undefined) problems.push(`exchange order ${order.id} is not in the journal`);
    else if (!isTerminal(state as Parameters<typeof isTerminal>[0]))
      problems.push(`exchange order ${order.id} journaled as ${state}`);
  }
  return problems;
}

/** (6) no secret in any stored row of any table. */
export async function checkNoSecrets(world: ChaosWorld): Promise<string[]> {
  const { db } = world.app;
  const secrets = [WEBHOOK_PASSPHRASE, SIMULATOR_DEFAULT_TOKEN];
  const tables = await db.query<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
  );
  const problems: string[] = [];
  for (const { name } of tables) {
    const rows = await db.query<Record<string, unknown>>(`SELECT * FROM "${name}"`);
    for (const row of rows) {
      const text = JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
      for (const secret of secrets)
        if (text.includes(secret)) problems.push(`table ${name} holds a secret (${secret.slice(0, 4)}…)`);
    }
  }
  return [...new Set(problems)];
}
