// The closing table: counted from Keel's stores and the simulator's ground truth, after one final
// reconciliation. Every row states what it expects; the demo fails if any row does not hold.
import { Decimal, parseDecimal } from '../../src/core/decimal.js';
import { TERMINAL_SIGNAL_STATES } from '../../src/market-data/signal-state.js';
import type { DemoContext } from './demo-context.js';
import { ansi } from './progress.js';
import { sleep } from './wait.js';

export interface VerificationRow {
  readonly label: string;
  readonly value: string;
  readonly expected: string;
  readonly ok: boolean;
}

/** Signals the demo can list in one page; it sends about ten. */
const SIGNALS_PAGE = 1_000;
/** How long the final check waits for orders still in flight (after a failed phase), ms. */
const SETTLE_WAIT_MS = 10_000;

export async function verify(context: DemoContext): Promise<VerificationRow[]> {
  const { app, simulator } = context;
  await settleOrders(context);
  const reconciliation = await app.reconciliation.runNow();
  const signals = await app.signals.list({ limit: SIGNALS_PAGE });
  const exchangeOrders = simulator.groundTruthOrders();
  const perClientId = new Map<string, number>();
  for (const order of exchangeOrders) {
    const key = order.clientOrderId ?? `#${order.id}`;
    perClientId.set(key, (perClientId.get(key) ?? 0) + 1);
  }
  const duplicates = [...perClientId.values()].filter((count) => count > 1).length;
  const notTerminal = signals.filter((signal) => !TERMINAL_SIGNAL_STATES.includes(signal.state)).length;
  const unbalanced = app.ledger.assets().filter((asset) => !app.ledger.isBalanced(asset));
  const mismatched = ledgerVsExchange(context);
  const reconciled = reconciliation.status === 'ok' || reconciliation.status === 'corrected';
  return [
    row(
      'signals received',
      String(signals.length),
      `${context.signalIds.length} sent`,
      signals.length === context.signalIds.length,
    ),
    row(
      'orders placed on the exchange',
      String(exchangeOrders.length),
      `≤ signals`,
      exchangeOrders.length <= signals.length && exchangeOrders.length > 0,
    ),
    row('duplicate orders', String(duplicates), '0', duplicates === 0),
    row('signals not in a terminal state', String(notTerminal), '0', notTerminal === 0),
    row(
      'ledger balanced',
      unbalanced.length === 0 ? 'yes' : `no (${unbalanced.join(', ')})`,
      'yes',
      unbalanced.length === 0,
    ),
    row(
      'ledger equals exchange',
      reconciled && mismatched.length === 0
        ? 'yes'
        : `no (${reconciliation.status}; ${mismatched.join(', ')})`,
      'yes',
      reconciled && mismatched.length === 0,
    ),
  ];
}

/** A fill the ledger has not posted yet is no discrepancy: let in-flight orders finish first, briefly. */
async function settleOrders(context: DemoContext): Promise<void> {
  const deadlineMs = Date.now() + SETTLE_WAIT_MS;
  while (Date.now() < deadlineMs && (await context.app.journal.listNonTerminal(1)).length > 0)
    await sleep(100);
}

/** Currencies whose ledger total differs from the simulator's balance. */
function ledgerVsExchange(context: DemoContext): string[] {
  const wallets = context.simulator.wallets(context.token);
  const assets = new Set([...Object.keys(wallets), ...context.app.ledger.assets()]);
  return [...assets].filter((asset) => {
    const exchange =
      wallets[asset] === undefined ? new Decimal(0) : parseDecimal(wallets[asset].balance, 'balance');
    const ledger = context.app.ledger.assets().includes(asset)
      ? context.app.ledger.balances(asset).total
      : new Decimal(0);
    return !ledger.eq(exchange);
  });
}

function row(label: string, value: string, expected: string, ok: boolean): VerificationRow {
  return { label, value, expected, ok };
}

export function renderTable(rows: readonly VerificationRow[]): string[] {
  const labelWidth = Math.max(...rows.map((r) => r.label.length), 5);
  const valueWidth = Math.max(...rows.map((r) => r.value.length), 5);
  const line = `  ${'─'.repeat(labelWidth + valueWidth + 20)}`;
  return [
    line,
    `  ${'check'.padEnd(labelWidth)}  ${'value'.padEnd(valueWidth)}  expected`,
    line,
    ...rows.map(
      (r) =>
        `  ${r.label.padEnd(labelWidth)}  ${r.value.padEnd(valueWidth)}  ${r.expected.padEnd(9)} ${r.ok ? ansi.green('PASS') : ansi.red('FAIL')}`,
    ),
    line,
  ];
}
