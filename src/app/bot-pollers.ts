// The command pollers of the Telegram and Bale channels that accept commands: built once, started with
// each trading term (so only the leader polls) and stopped when it ends.
import type { KeelConfig } from '../config/index.js';
import type { Clock } from '../core/clock.js';
import type { Disposable } from '../core/events.js';
import type { Rng } from '../core/random.js';
import type { Logger } from '../logging/logger.js';
import type { AlertManager } from '../monitoring/alert-system/alert-manager.js';
import type { StatusSource } from '../monitoring/api/status-source.js';
import { BotApiClient } from '../monitoring/bot-commands/bot-api-client.js';
import { type BotCommandOperations, BotCommands } from '../monitoring/bot-commands/bot-commands.js';
import { CommandPoller } from '../monitoring/bot-commands/command-poller.js';
import type { HealthRegistry } from '../monitoring/health-registry.js';
import type { Ledger } from '../position/ledger.js';
import type { ReconciliationLoop } from './reconciliation-loop.js';

export interface BotPollers {
  /** Channel name → poller (breaker state for the dashboard). */
  readonly pollers: ReadonlyMap<string, CommandPoller>;
  /** Starts every poller; disposing stops them (the term ended). */
  start(): Disposable;
  /** A dashboard row per poller: its getUpdates breaker. */
  registerHealth(health: HealthRegistry): void;
  close(): Promise<void>;
}

export function createBotPollers(options: {
  readonly config: KeelConfig;
  readonly operations: BotCommandOperations;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger: Logger;
}): BotPollers {
  const commands = new BotCommands(options.operations);
  const clients: BotApiClient[] = [];
  const pollers = new Map<string, CommandPoller>();
  for (const [name, channel] of Object.entries(options.config.alerts.channels)) {
    if ((channel.kind !== 'telegram' && channel.kind !== 'bale') || channel.commands === undefined) continue;
    const api = new BotApiClient({
      channel: name,
      botToken: channel.botToken,
      apiBaseUrl: channel.apiBaseUrl,
      timeoutMs: channel.timeoutMs,
      pollTimeoutS: channel.commands.pollTimeoutS,
      ...(channel.proxy === undefined ? {} : { proxy: channel.proxy }),
    });
    clients.push(api);
    pollers.set(
      name,
      new CommandPoller({
        channel: name,
        api,
        commands,
        allowedChatIds: channel.commands.chatIds,
        clock: options.clock,
        rng: options.rng,
        logger: options.logger,
      }),
    );
  }
  const stopAll = () => Promise.all([...pollers.values()].map((poller) => poller.stop()));
  return {
    pollers,
    start() {
      for (const poller of pollers.values()) poller.start();
      return { dispose: () => void stopAll() };
    },
    registerHealth(health) {
      for (const [name, poller] of pollers)
        health.register({
          name: `bot-commands.${name}`,
          component: 'monitoring',
          check: () =>
            poller.breaker.state === 'closed'
              ? { status: 'healthy' }
              : { status: 'degraded', reason: `getUpdates breaker ${poller.breaker.state}` },
        });
    },
    async close() {
      await stopAll();
      await Promise.all(clients.map((client) => client.close()));
    },
  };
}

/** What the commands act through: the dashboard's status source (once built), the ledger and alerts. */
export function botOperations(parts: {
  readonly source: () => StatusSource | undefined;
  readonly ledger: Pick<Ledger, 'positions'>;
  readonly reconciliation: Pick<ReconciliationLoop, 'lastResult'>;
  readonly alerts: Pick<AlertManager, 'openAlerts'>;
}): BotCommandOperations {
  const source = () => {
    const built = parts.source();
    if (built === undefined) throw new Error('Keel is still starting');
    return built;
  };
  return {
    status: () => source().status(),
    orders: () => source().orders({ limit: 200 }),
    positions: () => parts.ledger.positions(),
    lastReconciliation: () => {
      const last = parts.reconciliation.lastResult();
      return last === undefined
        ? undefined
        : { status: last.status, finishedAtMs: last.finishedAtMs, breachCount: last.summary.breachCount };
    },
    openAlerts: async () => parts.alerts.openAlerts(),
    acknowledgeAlert: (id, by) => source().acknowledgeAlert(id, by),
    setEngineMode: (mode, by, reason) => source().setEngineMode(mode, by, reason),
  };
}
