// The scenario vocabulary and its seeded generator. Steps carry only relative times (the harness turns
// them into absolute ones when it applies a step), so any sub-list of a scenario is itself valid:
// that is what lets the shrinker drop steps freely.

import { chance, createRng, pick, type Rng, randomInt } from '../../src/core/random.js';
import type { ChaosRuleSpec } from '../../src/exchange/simulator/index.js';
import { balanceStep, faultStep } from './fault-steps.js';
import { guardStep, withAgeMax } from './guard-steps.js';
import {
  describeProtectionStep,
  type ProtectionStep,
  priceJumpStep,
  protectedSignalStep,
} from './protection-steps.js';
import { describePushStep, type PushStep, withPushSteps } from './push-steps.js';
import {
  describeTruthStep,
  manualTradesStep,
  reconcileNowStep,
  type TruthStep,
  twinSignalsStep,
} from './truth-steps.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A chaos rule without the fields the harness fills in: token for drift, absolute window. */
export type FaultSpec = DistributiveOmit<ChaosRuleSpec, 'startAtMs' | 'endAtMs' | 'token'>;

export type Step =
  | {
      readonly kind: 'signal';
      readonly body: Readonly<Record<string, unknown>> | string;
      readonly note: string;
    }
  | {
      readonly kind: 'fault';
      readonly rule: FaultSpec;
      readonly startInMs: number;
      readonly durationMs: number;
    }
  | { readonly kind: 'clearFaults' }
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'tick'; readonly count: number }
  /** `duringStartUp`: stop the app while it may still be resuming orders, not after. */
  | { readonly kind: 'restart'; readonly duringStartUp: boolean }
  | { readonly kind: 'setBalance'; readonly currency: string; readonly delta: string }
  | TruthStep
  | ProtectionStep
  | PushStep
  /** The app goes down (after `body` arrives during an exchange outage) and starts `ms` later. */
  | { readonly kind: 'pause'; readonly ms: number; readonly body?: Readonly<Record<string, unknown>> }
  /** HALT from outside the app (after `body`'s first send went UNKNOWN) for `ms`, then lifted. */
  | { readonly kind: 'halt'; readonly ms: number; readonly body?: Readonly<Record<string, unknown>> };

export interface Scenario {
  readonly seed: number;
  readonly steps: readonly Step[];
}

export const WEBHOOK_PASSPHRASE = 'chaos-pass-phrase-7f3a';

/** Valid sizes per symbol: some below the minimum order, some above the risk limit, most in between. */
const SIZES: Readonly<Record<string, readonly string[]>> = {
  BTCIRT: ['0.00001', '0.00005', '0.0001', '0.0005', '0.001', '0.004', '0.01'],
  ETHIRT: ['0.0005', '0.002', '0.01', '0.05', '0.1', '0.5'],
  USDTIRT: ['1', '5', '20', '100', '400', '1000'],
  BTCUSDT: ['0.00001', '0.0002', '0.001', '0.005', '0.02'],
  ETHUSDT: ['0.001', '0.004', '0.02', '0.1', '0.5'],
};
const PRICE_NEAR: Readonly<Record<string, string>> = {
  BTCIRT: '99750000000',
  ETHIRT: '3570000000',
  USDTIRT: '1050000',
  BTCUSDT: '95000',
  ETHUSDT: '3400',
};
const SYMBOLS = Object.keys(SIZES);

export function generateScenario(seed: number, stepCount: number): Scenario {
  const rng = createRng(seed);
  const steps: Step[] = [];
  const ids: string[] = [];
  for (let i = 0; i < stepCount; i++) steps.push(drawStep(rng, seed, i, ids));
  return { seed, steps: withPushSteps(seed, steps) };
}

function drawStep(rng: Rng, seed: number, index: number, ids: string[]): Step {
  const roll = rng.next();
  if (roll < 0.38) return validSignal(rng, seed, index, ids);
  if (roll < 0.45 && ids.length > 0) {
    const id = pick(rng, ids);
    return { kind: 'signal', body: { ...baseBody(rng), id }, note: `duplicate ${id}` };
  }
  if (roll < 0.49) return malformedSignal(rng);
  if (roll < 0.73) return faultStep(rng);
  if (roll < 0.75) return { kind: 'clearFaults' };
  if (roll < 0.79) return { kind: 'restart', duringStartUp: chance(rng, 0.3) };
  if (roll < 0.82) return balanceStep(rng);
  if (roll < 0.85) return { kind: 'tick', count: randomInt(rng, 1, 5) };
  if (roll < 0.88) return twinSignalsStep(rng, seed, index, ids);
  if (roll < 0.9) return reconcileNowStep(rng);
  if (roll < 0.905) return manualTradesStep(rng);
  if (roll < 0.93) return protectedSignalStep(rng, seed, index, ids);
  if (roll < 0.955) return priceJumpStep(rng);
  if (roll >= 0.97) return guardStep(rng, baseBody(rng));
  return { kind: 'advance', ms: pick(rng, [100, 500, 1_000, 3_000, 10_000, 30_000]) };
}

function baseBody(rng: Rng): Record<string, unknown> {
  const symbol = pick(rng, SYMBOLS);
  return {
    passphrase: WEBHOOK_PASSPHRASE,
    symbol,
    side: chance(rng, 0.55) ? 'buy' : 'sell',
    amount: pick(rng, SIZES[symbol] ?? ['1']),
  };
}

function validSignal(rng: Rng, seed: number, index: number, ids: string[]): Step {
  const body = baseBody(rng);
  if (chance(rng, 0.2)) {
    // A limit order near the start price: some rest, some cross.
    const near = PRICE_NEAR[String(body.symbol)] ?? '1';
    const percent = pick(rng, [99n, 100n, 101n]);
    body.type = 'limit';
    body.price = scalePrice(near, percent);
  }
  if (chance(rng, 0.8)) {
    const id = `c${seed}-${index}`;
    body.id = id;
    ids.push(id);
  }
  return { kind: 'signal', body: withAgeMax(rng, body), note: 'valid' };
}

/** Integer part of price × percent / 100, exact. */
function scalePrice(price: string, percent: bigint): string {
  return String((BigInt(price.split('.')[0] ?? '0') * percent) / 100n);
}

function malformedSignal(rng: Rng): Step {
  const body = baseBody(rng);
  const variants: (readonly [string, Record<string, unknown> | string])[] = [
    ['wrong passphrase', { ...body, passphrase: 'not-the-passphrase' }],
    ['unknown symbol', { ...body, symbol: 'DOGEXYZ' }],
    ['bad side', { ...body, side: 'hold' }],
    ['negative amount', { ...body, amount: '-1' }],
    ['amount not a number', { ...body, amount: 'lots' }],
    ['not json', '{"passphrase": "chaos-pass-phrase-7f3a", "symbol": '],
    ['empty object', {}],
  ];
  const [note, malformed] = pick(rng, variants);
  return { kind: 'signal', body: malformed, note: `malformed: ${note}` };
}

/** One line per step, for failure reports. */
export function describeStep(step: Step): string {
  switch (step.kind) {
    case 'signal':
      return `signal (${step.note}) ${typeof step.body === 'string' ? step.body : JSON.stringify(redact(step.body))}`;
    case 'fault':
      return `fault ${JSON.stringify(step.rule)} in ${step.startInMs} ms for ${step.durationMs} ms`;
    case 'advance':
      return `advance ${step.ms} ms`;
    case 'tick':
      return `tick ${step.count}`;
    case 'setBalance':
      return `setBalance ${step.currency} ${step.delta}`;
    case 'restart':
      return step.duringStartUp ? 'restart (during start-up)' : 'restart';
    case 'twinSignals':
    case 'manualTrades':
    case 'reconcileNow':
      return describeTruthStep(step);
    case 'protectedSignal':
    case 'priceJump':
      return describeProtectionStep(step);
    case 'pushGap':
      return describePushStep(step);
    case 'pause':
    case 'halt':
      return `${step.kind} ${step.ms} ms${step.body === undefined ? '' : ` after signal ${JSON.stringify(redact(step.body))}`}`;
    default:
      return step.kind;
  }
}

function redact(body: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return 'passphrase' in body ? { ...body, passphrase: '***' } : { ...body };
}
