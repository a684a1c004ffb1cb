// Stage 2, the bus: the signal store keeps every accepted signal durably, and in the same transaction
// publishes it on the shared message bus, from which the engine of whichever instance trades takes it.
import { MessageBus } from '../../bus/index.js';
import type { KeelConfig } from '../../config/index.js';
import type { Clock } from '../../core/clock.js';
import type { Rng } from '../../core/random.js';
import type { Engine } from '../../engine/engine.js';
import type { Logger } from '../../logging/logger.js';
import { SignalStore } from '../../market-data/signal-store.js';
import type { Database } from '../../storage/database.js';

export interface BusStage {
  readonly bus: MessageBus;
  readonly signals: SignalStore;
  /** Names the engine whose enqueue publishes accepted signals (any engine: all publish on the bus). */
  publishWith(engine: Engine): void;
}

export async function wireBus(options: {
  config: KeelConfig;
  db: Database;
  clock: Clock;
  rng: Rng;
  logger: Logger;
}): Promise<BusStage> {
  const { config, db, clock, rng, logger } = options;
  const bus = new MessageBus({ db, clock, logger, instanceId: config.cluster.instanceId });
  let enqueue: Engine['enqueue'] = async () => {
    throw new Error('engine not ready');
  };
  const signals = new SignalStore({
    db,
    clock,
    rng,
    ...signalStoreSettings(config),
    onAccepted: (tx, stored) => enqueue(tx, stored),
  });
  await signals.migrate();
  return {
    bus,
    signals,
    publishWith: (engine) => {
      enqueue = engine.enqueue;
    },
  };
}

/** Failed processing attempts before a signal is quarantined, from the webhook settings. */
export const signalStoreSettings = (config: KeelConfig) => ({
  attemptsMax: config.webhook.quarantineAttempts,
});
