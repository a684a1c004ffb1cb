// Builds the real adapter stack (pool → client → adapter) against loopback servers on a FakeClock,
// and drives a pending call by alternating tiny real I/O waits with fake-clock steps.
import type { FakeClock } from '../../../src/core/clock.js';
import { createRng } from '../../../src/core/random.js';
import type { ConnectionPoolOptions } from '../../../src/exchange/connection-pool/connection-pool-options.js';
import {
  createEnhancedAdapter,
  type EnhancedAdapterOptions,
  type EnhancedAdapterStack,
} from '../../../src/exchange/enhanced-nobitex-adapter/index.js';
import type { NobitexAuth } from '../../../src/exchange/nobitex-client/auth.js';

export const TEST_USER_AGENT = 'TraderBot/keel-test';

export function buildStack(params: {
  readonly baseUrls: readonly string[] | readonly { url: string; weight: number }[];
  readonly clock: FakeClock;
  readonly token: string;
  readonly auth?: NobitexAuth;
  readonly options?: EnhancedAdapterOptions;
  readonly pool?: Omit<ConnectionPoolOptions, 'baseUrls' | 'clock' | 'rng' | 'logger'>;
}): EnhancedAdapterStack {
  return createEnhancedAdapter({
    baseUrls: params.baseUrls,
    auth: params.auth ?? { kind: 'token', token: params.token },
    userAgent: TEST_USER_AGENT,
    clock: params.clock,
    rng: createRng(7),
    ...(params.options === undefined ? {} : { options: params.options }),
    ...(params.pool === undefined ? {} : { pool: params.pool }),
  });
}

const realWait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Settles `promise`, advancing fake time by stepMs between short real waits (socket I/O). */
export async function drive<T>(
  clock: FakeClock,
  promise: Promise<T>,
  options: { readonly stepMs?: number; readonly stepsMax?: number } = {},
): Promise<T> {
  const stepMs = options.stepMs ?? 50;
  const stepsMax = options.stepsMax ?? 2_000;
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let step = 0; step < stepsMax && !settled; step++) {
    await realWait(2);
    if (!settled) await clock.advance(stepMs);
  }
  return promise;
}

/** Resolves to the error a promise rejects with (fails the test when it resolves). */
export async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, got a value');
}

/** Moves fake time forward in steps, letting real socket I/O (pool probes) run between them. */
export async function passTime(clock: FakeClock, totalMs: number, stepMs = 250): Promise<void> {
  for (let elapsedMs = 0; elapsedMs < totalMs; elapsedMs += stepMs) {
    await clock.advance(Math.min(stepMs, totalMs - elapsedMs));
    await realWait(3);
  }
}
