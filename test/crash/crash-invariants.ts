// The journal-side invariants every crash campaign checks on the database once Keel is dead.
import { expect } from 'vitest';
import type { CampaignResult } from './crash-campaign.js';
import type { DbSnapshot } from './keel-process.js';

/**
 * `lostByPaperSimulator`: ids of orders allowed to stay open because the paper simulator that held
 * them died with the process (see paper-mode-kill.test.ts); empty for a surviving exchange.
 */
export function expectJournalInvariants(
  result: CampaignResult,
  db: DbSnapshot,
  lostByPaperSimulator: ReadonlySet<string> = new Set(),
): void {
  const blocked = lostByPaperSimulator.size > 0;
  const signalStates = new Map(db.signals.map((signal) => [signal.id, signal.state]));
  // No signal answered 202 is lost, and every signal reached a terminal state.
  for (const signalId of result.accepted.keys()) expect(signalStates.has(signalId), signalId).toBe(true);
  if (!blocked)
    expect(db.signals.filter((signal) => signal.state !== 'executed' && signal.state !== 'rejected')).toEqual(
      [],
    );
  // At most one order per signal, each clientOrderId once, every order terminal.
  const perSignal = new Map<string, number>();
  for (const order of db.orders) perSignal.set(order.signal_id, (perSignal.get(order.signal_id) ?? 0) + 1);
  expect([...perSignal.values()].filter((count) => count > 1)).toEqual([]);
  expect(new Set(db.orders.map((order) => order.client_order_id)).size).toBe(db.orders.length);
  const open = db.orders.filter(
    (order) => !['FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED'].includes(order.state),
  );
  expect(open.filter((order) => !lostByPaperSimulator.has(order.id))).toEqual([]);
  // Each exchange trade once in order_fills and posted once in the ledger.
  expect(new Set(db.fills.map((fill) => fill.trade_id)).size).toBe(db.fills.length);
  expect(db.fillPostings.filter((posting) => Number(posting.n) !== 1)).toEqual([]);
  const postedTrades = new Set(db.fillPostings.map((posting) => posting.trade_id));
  for (const fill of db.fills) expect(postedTrades.has(fill.trade_id), fill.trade_id).toBe(true);
  // The ledger balances: per asset the entries sum to zero.
  expect(db.assetSums.size).toBeGreaterThan(0);
  for (const [asset, sum] of db.assetSums) expect(`${asset}:${sum}`).toBe(`${asset}:0`);
}
