// Scenario steps of issue 12's order-truth modes: identical orders within Nobitex's 10-second guard
// (two strategies, one account), the account holder trading by hand on the same account (pushing
// Keel's trades to older pages of the trade list), and a reconciliation asked for while orders fill.
import { parseDecimal } from '../../src/core/decimal.js';
import { chance, pick, type Rng, randomInt } from '../../src/core/random.js';
import { SIMULATOR_DEFAULT_TOKEN } from '../../src/exchange/simulator/index.js';
import { InjectTransport } from '../../src/exchange/simulator/inject-transport.js';
import { MANUAL_HEADERS, manualOrderBody } from '../support/sim-manual-order.js';
import type { Observations } from './checker.js';
import { WEBHOOK_PASSPHRASE } from './scenario.js';
import type { ChaosWorld } from './world.js';

export type TruthStep =
  /** Two distinct signals with identical order parameters, sent back to back. */
  | {
      readonly kind: 'twinSignals';
      readonly body: Readonly<Record<string, unknown>>;
      readonly ids: readonly [string, string];
    }
  /** The account holder's own market trades in one market, outside Keel. */
  | {
      readonly kind: 'manualTrades';
      readonly symbol: string;
      readonly amount: string;
      readonly count: number;
    }
  /** The market moves (resting orders fill), then a person asks for a reconciliation at once. */
  | { readonly kind: 'reconcileNow'; readonly ticks: number };

export const TRUTH_STEP_KINDS = ['twinSignals', 'manualTrades', 'reconcileNow'] as const;

/** Twin sizes inside the engine's limits; manual sizes above any signal's, so no manual trade can be
 * mistaken for one of Keel's (the suspicious-trade rule compares amounts). */
const TWIN_SIZES: Readonly<Record<string, string>> = {
  BTCIRT: '0.001',
  ETHIRT: '0.05',
  USDTIRT: '20',
  BTCUSDT: '0.001',
  ETHUSDT: '0.02',
};
const MANUAL_SIZES: Readonly<Record<string, string>> = {
  BTCIRT: '0.02',
  ETHIRT: '0.6',
  USDTIRT: '1500',
  BTCUSDT: '0.03',
  ETHUSDT: '0.6',
};

export function twinSignalsStep(rng: Rng, seed: number, index: number, ids: string[]): TruthStep {
  const symbol = pick(rng, Object.keys(TWIN_SIZES));
  const body = {
    passphrase: WEBHOOK_PASSPHRASE,
    symbol,
    side: chance(rng, 0.5) ? 'buy' : 'sell',
    amount: TWIN_SIZES[symbol] ?? '1',
  };
  const pair: [string, string] = [`t${seed}-${index}-a`, `t${seed}-${index}-b`];
  ids.push(...pair);
  return { kind: 'twinSignals', body, ids: pair };
}

export function manualTradesStep(rng: Rng): TruthStep {
  const symbol = pick(rng, Object.keys(MANUAL_SIZES));
  return { kind: 'manualTrades', symbol, amount: MANUAL_SIZES[symbol] ?? '1', count: randomInt(rng, 5, 35) };
}

export const reconcileNowStep = (rng: Rng): TruthStep => ({
  kind: 'reconcileNow',
  ticks: randomInt(rng, 1, 8),
});

export function describeTruthStep(step: TruthStep): string {
  switch (step.kind) {
    case 'twinSignals':
      return `twin signals ${step.ids.join(' + ')} ${JSON.stringify({ ...step.body, passphrase: '***' })}`;
    case 'manualTrades':
      return `manual trades ${step.count} × ${step.amount} ${step.symbol}`;
    case 'reconcileNow':
      return `tick ${step.ticks}, then reconcile now`;
  }
}

/** Applies one step; `send` posts a webhook the way every other signal step does. */
export async function applyTruthStep(
  world: ChaosWorld,
  step: TruthStep,
  seen: Observations,
  send: (body: Readonly<Record<string, unknown>>) => Promise<unknown>,
): Promise<void> {
  switch (step.kind) {
    case 'twinSignals':
      for (const id of step.ids) await send({ ...step.body, id });
      return;
    case 'manualTrades':
      return manualTrades(world, step, seen);
    case 'reconcileNow':
      world.simulator.tick(step.ticks);
      await world.drive(world.app.reconciliation.runNow(), 'reconcile now');
      return;
  }
}

async function manualTrades(
  world: ChaosWorld,
  step: Extract<TruthStep, { kind: 'manualTrades' }>,
  seen: Observations,
): Promise<void> {
  const rial = step.symbol.endsWith('IRT');
  const srcCurrency = step.symbol.slice(0, step.symbol.length - (rial ? 3 : 4)).toLowerCase();
  const before = world.simulator.wallets(SIMULATOR_DEFAULT_TOKEN);
  // Through the same faulty network as Keel: a hang ends at the headers timeout on the fake clock.
  const transport = new InjectTransport({ simulator: world.simulator, clock: world.clock });
  const authFailuresBefore = world.simulator.chaos.stats().authFailure;
  for (let i = 0; i < step.count; i++) {
    const body = manualOrderBody({
      type: i % 2 === 0 ? 'buy' : 'sell',
      srcCurrency,
      dstCurrency: rial ? 'rls' : 'usdt',
      amount: step.amount,
      pro: true,
    });
    const request = {
      group: 'orders',
      method: 'POST',
      path: '/market/orders/add',
      body,
      priority: 'high',
    } as const;
    await world
      .drive(transport.request({ ...request, headers: MANUAL_HEADERS }), 'manual trade')
      .catch(() => undefined);
  }
  await transport.close();
  seen.holderAuthFailures += world.simulator.chaos.stats().authFailure - authFailuresBefore;
  // Balances moved behind Keel's back: reconciliation may correct or halt, and that is explained.
  const after = world.simulator.wallets(SIMULATOR_DEFAULT_TOKEN);
  for (const currency of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const delta = parseDecimal(after[currency]?.balance ?? '0', 'balance').minus(
      parseDecimal(before[currency]?.balance ?? '0', 'balance'),
    );
    if (delta.isZero()) continue;
    const previous = seen.driftAbs.get(currency);
    seen.driftAbs.set(currency, previous === undefined ? delta.abs() : previous.plus(delta.abs()));
  }
}
