// Standalone server for `keel sim --port N --seed S`: real clock, real listener.
import type { Logger } from '../../logging/logger.js';
import { createSimulator, type Simulator } from './simulator.js';

export interface SimulatorServerOptions {
  readonly host?: string;
  readonly port?: number;
  readonly seed: number;
  /** Multiplies the rate limits (simulator.rateLimitScale). Default 1. */
  readonly rateLimitScale?: number;
  readonly logger?: Logger;
}

export async function startSimulatorServer(
  options: SimulatorServerOptions,
): Promise<{ url: string; simulator: Simulator; close: () => Promise<void> }> {
  const simulator = createSimulator({
    seed: options.seed,
    ...(options.rateLimitScale === undefined ? {} : { rateLimitScale: options.rateLimitScale }),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const url = await simulator.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  return { url, simulator, close: () => simulator.close() };
}
