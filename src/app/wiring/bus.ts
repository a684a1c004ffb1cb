// Stage 2, the bus: the signal store keeps every accepted signal durably, and in the same transaction
// passes it through the engine's door (HaltedDoor): onto the shared message bus, from which the engine
// of whichever instance trades takes it, or refused there while HALTED.
import { MessageBus } from '../../bus/index.js';
import type { KeelConfig } from '../../config/index.js';
import type { Clock } from '../../core/clock.js';
import type { Rng } from '../../core/random.js';
import type { HaltedDoor } from '../../engine/halted-door.js';
import type { Logger } from '../../logging/logger.js';
import { SignalStore } from '../../market-data/signal-store.js';
import type { Database } from '../../storage/database.js';

export interface BusStage {
  readonly bus: MessageBus;
  readonly signals: SignalStore;
  /** Names the door every accepted signal passes: publishes it on the bus, or refuses it while HALTED. */
  admitWith(door: HaltedDoor): void;
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
  let admit: HaltedDoor['admit'] = async () => {
    throw new Error('engine not ready');
  };
  const signals = new SignalStore({
    db,
    clock,
    rng,
    ...signalStoreSettings(config),
    onAccepted: (tx, batch) => admit(tx, batch),
  });
  await signals.migrate();
  return {
    bus,
    signals,
    admitWith: (door) => {
      admit = door.admit;
    },
  };
}

/** Failed processing attempts before a signal is quarantined, from the webhook settings. */
export const signalStoreSettings = (config: KeelConfig) => ({
  attemptsMax: config.webhook.quarantineAttempts,
});
