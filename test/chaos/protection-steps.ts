// Scenario steps of issue 14's protective orders: buys that ask for a stop-loss and/or take-profit,
// and price jumps that trigger them, now and then while Keel is down (a trigger during a restart).
// Faults on orders/add and update-status from the ordinary fault steps hit their placing and cancelling.
import { Decimal, formatDecimal } from '../../src/core/decimal.js';
import { chance, pick, type Rng } from '../../src/core/random.js';
import { WEBHOOK_PASSPHRASE } from './scenario.js';
import type { ChaosWorld } from './world.js';

export type ProtectionStep =
  /** A buy market order asking for protection. */
  | { readonly kind: 'protectedSignal'; readonly body: Readonly<Record<string, unknown>> }
  /** One market jumps by `percent` (through protective stops or take-profits), maybe while Keel is down. */
  | {
      readonly kind: 'priceJump';
      readonly symbol: string;
      readonly percent: number;
      readonly whileDown: boolean;
    };

/** Buys big enough that what is left after the fee stays above the minimum order value. */
const PROTECTED_SIZES: Readonly<Record<string, readonly string[]>> = {
  BTCIRT: ['0.001', '0.004'],
  ETHIRT: ['0.01', '0.05'],
  BTCUSDT: ['0.001', '0.002'],
};

export function protectedSignalStep(rng: Rng, seed: number, index: number, ids: string[]): ProtectionStep {
  const symbol = pick(rng, Object.keys(PROTECTED_SIZES));
  const which = pick(rng, ['both', 'both', 'stopLoss', 'takeProfit'] as const);
  const id = `p${seed}-${index}`;
  ids.push(id);
  return {
    kind: 'protectedSignal',
    body: {
      passphrase: WEBHOOK_PASSPHRASE,
      symbol,
      side: 'buy',
      amount: pick(rng, PROTECTED_SIZES[symbol] ?? ['1']),
      id,
      ...(which === 'takeProfit' ? {} : { stopLoss: pick(rng, ['1%', '2%', '3%']) }),
      ...(which === 'stopLoss' ? {} : { takeProfit: pick(rng, ['1%', '2%', '4%']) }),
    },
  };
}

export function priceJumpStep(rng: Rng): ProtectionStep {
  return {
    kind: 'priceJump',
    symbol: pick(rng, Object.keys(PROTECTED_SIZES)),
    // Past the stops (1-3%) and take-profits (1-4%) the protected signals ask for.
    percent: pick(rng, [-6, -4, -3, 3, 4, 6]),
    whileDown: chance(rng, 0.4),
  };
}

export function describeProtectionStep(step: ProtectionStep): string {
  if (step.kind === 'priceJump')
    return `priceJump ${step.symbol} ${step.percent}%${step.whileDown ? ' while Keel is down' : ''}`;
  const { passphrase: _secret, ...shown } = step.body;
  return `protectedSignal ${JSON.stringify(shown)}`;
}

/** Moves the market; with whileDown the app is stopped first and started after the jump. */
export async function applyPriceJump(
  world: ChaosWorld,
  step: Extract<ProtectionStep, { kind: 'priceJump' }>,
): Promise<void> {
  if (step.whileDown) await world.stopApp();
  const last = new Decimal(world.simulator.lastPrice(step.symbol));
  const target = last.times(new Decimal(100 + step.percent).div(100)).toDecimalPlaces(0, Decimal.ROUND_DOWN);
  world.simulator.setPrice(step.symbol, formatDecimal(target));
  if (step.whileDown) await world.startApp();
}
