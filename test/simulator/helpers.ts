// Shared setup for simulator tests: a simulator on a FakeClock with manual ticks, and inject helpers.
import { FakeClock } from '../../src/core/clock.js';
import {
  createSimulator,
  SIMULATOR_DEFAULT_TOKEN,
  type Simulator,
  type SimulatorOptions,
} from '../../src/exchange/simulator/index.js';

export const TOKEN = SIMULATOR_DEFAULT_TOKEN;
export const OTHER_TOKEN = 'aaaaaaaaaabbbbbbbbbbccccccccccdddddddddd';

export interface Harness {
  readonly sim: Simulator;
  readonly clock: FakeClock;
}

export function harness(options: Partial<SimulatorOptions> = {}): Harness {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const sim = createSimulator({ seed: 42, clock, priceTickMs: 0, ...options });
  return { sim, clock };
}

export interface JsonResponse {
  readonly statusCode: number;
  readonly body: Record<string, unknown>;
  readonly text: string;
}

export async function call(
  sim: Simulator,
  method: 'GET' | 'POST',
  url: string,
  body?: Record<string, unknown>,
  token: string | null = TOKEN,
): Promise<JsonResponse> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Token ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await sim.app.inject({
    method,
    url,
    headers,
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  const text = response.body;
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = {};
  }
  return { statusCode: response.statusCode, body: parsed, text };
}

/** A limit order priced `offsetFraction` away from the current market price, rounded to the tick. */
export function limitPrice(sim: Simulator, symbol: string, offsetFraction: number, step = 10): string {
  const last = BigInt(sim.lastPrice(symbol).split('.')[0] ?? '0');
  const offset = (last * BigInt(Math.round(offsetFraction * 10_000))) / 10_000n;
  const raw = last + offset;
  return ((raw / BigInt(step)) * BigInt(step)).toString();
}

export const order = (fields: Record<string, unknown>) => ({
  type: 'buy',
  execution: 'limit',
  srcCurrency: 'btc',
  dstCurrency: 'rls',
  ...fields,
});
