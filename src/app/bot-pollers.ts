// The command pollers of the Telegram and Bale channels that accept commands: built once, started with
// each trading term (so only the leader polls) and stopped when it ends.
import type { KeelConfig } from '../config/index.js';
import type { Clock } from '../core/clock.js';
import type { Disposable } from '../core/events.js';
import type { Rng } from '../core/random.js';
import type { Logger } from '../logging/logger.js';
import { BotApiClient } from '../monitoring/bot-commands/bot-api-client.js';
import { type BotCommandOperations, BotCommands } from '../monitoring/bot-commands/bot-commands.js';
import { CommandPoller } from '../monitoring/bot-commands/command-poller.js';

export interface BotPollers {
  /** Channel name → poller (breaker state for the dashboard). */
  readonly pollers: ReadonlyMap<string, CommandPoller>;
  /** Starts every poller; disposing stops them (the term ended). */
  start(): Disposable;
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
    async close() {
      await stopAll();
      await Promise.all(clients.map((client) => client.close()));
    },
  };
}
