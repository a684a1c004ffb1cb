// Builds every configured channel, each behind its own dispatcher (a bulkhead) and its own policy
// (breaker → retry → timeout), so a dead channel never delays another one or the engine.
import type { ChannelConfig, KeelConfig } from '../../../config/index.js';
import { type Clock, systemClock } from '../../../core/clock.js';
import type { Disposable } from '../../../core/events.js';
import { type Rng, systemRng } from '../../../core/random.js';
import { type Logger, silentLogger } from '../../../logging/logger.js';
import { type AlertChannel, type ChannelBulkheadLimits, ChannelDispatcher } from '../channel.js';
import { type ChannelPolicy, type ChannelPolicyTuning, createChannelPolicy } from './channel-policy.js';
import { ConsoleChannel } from './console-channel.js';
import { EmailChannel } from './email-channel.js';
import { SmsChannel } from './sms-channel.js';
import { TelegramChannel } from './telegram-channel.js';
import { WebhookChannel } from './webhook-channel.js';

export type AlertsConfig = KeelConfig['alerts'];

export interface CreateAlertChannelsOptions {
  /** Default silentLogger. */
  readonly logger?: Logger;
  /** Default systemClock. */
  readonly clock?: Clock;
  /** Jitter of retries and breaker breaks. Default a system-seeded Rng. */
  readonly rng?: Rng;
  /** Each channel's bulkhead (the bulkheads.alertChannels settings). Default CHANNEL_BULKHEAD_DEFAULTS. */
  readonly limits?: ChannelBulkheadLimits;
  /** Overrides of the policy defaults, for every channel. */
  readonly policy?: ChannelPolicyTuning;
  /** Per-attempt timeout of the console channel, ms. Default 5_000. */
  readonly consoleTimeoutMs?: number;
}

export interface AlertChannelEntry {
  readonly channel: AlertChannel & { close?(): Promise<void> | void };
  readonly dispatcher: ChannelDispatcher;
  readonly policy: ChannelPolicy;
}

export interface AlertChannels {
  /** One per configured channel, named as in the config (`console`, `ops`, …). */
  readonly dispatchers: ChannelDispatcher[];
  /** Channel name → channel, dispatcher and policy (breaker state for health and metrics). */
  readonly entries: ReadonlyMap<string, AlertChannelEntry>;
  /** Stops logging outcomes and releases sockets; flush the dispatchers first to deliver what is queued. */
  close(): Promise<void>;
}

export function createAlertChannels(
  config: AlertsConfig,
  options: CreateAlertChannelsOptions = {},
): AlertChannels {
  const logger = (options.logger ?? silentLogger).child({ component: 'alert-channels' });
  const clock = options.clock ?? systemClock;
  const rng = options.rng ?? systemRng();
  const built = buildChannels(config, { logger: options.logger ?? silentLogger, clock });
  const entries = new Map<string, AlertChannelEntry>();
  const subscriptions: Disposable[] = [];
  for (const { channel, timeoutMs } of built) {
    const policy = createChannelPolicy({
      ...options.policy,
      timeoutMs: timeoutMs ?? options.consoleTimeoutMs ?? 5_000,
      clock,
      rng,
    });
    const dispatcher = new ChannelDispatcher({
      channel,
      policy: policy.policy,
      clock,
      ...(options.limits === undefined ? {} : { limits: options.limits }),
    });
    subscriptions.push(...observe(channel.name, dispatcher, policy, logger));
    entries.set(channel.name, { channel, dispatcher, policy });
  }
  return {
    dispatchers: [...entries.values()].map((entry) => entry.dispatcher),
    entries,
    async close() {
      for (const subscription of subscriptions.splice(0)) subscription.dispose();
      await Promise.all([...entries.values()].map(async (entry) => entry.channel.close?.()));
    },
  };
}

export interface BuiltChannel {
  readonly channel: AlertChannel & { close?(): Promise<void> | void };
  /** Undefined for the console, which has no peer. */
  readonly timeoutMs: number | undefined;
}

function buildChannels(config: AlertsConfig, context: { logger: Logger; clock: Clock }): BuiltChannel[] {
  return Object.entries(config.channels).flatMap(([name, channel]) => {
    const built = buildChannel(name, channel, context);
    return built === undefined ? [] : [built];
  });
}

/** One configured channel; undefined for a disabled console. */
export function buildChannel(
  name: string,
  config: ChannelConfig,
  context: { logger: Logger; clock: Clock },
): BuiltChannel | undefined {
  switch (config.kind) {
    case 'console':
      return config.enabled
        ? { channel: new ConsoleChannel({ name, logger: context.logger }), timeoutMs: undefined }
        : undefined;
    case 'email':
      return { channel: new EmailChannel({ ...config, name }), timeoutMs: config.timeoutMs };
    case 'sms':
      return { channel: new SmsChannel({ ...config, name }), timeoutMs: config.timeoutMs };
    case 'telegram':
    case 'bale':
      return {
        channel: new TelegramChannel({ ...config, name, clock: context.clock, logger: context.logger }),
        timeoutMs: config.timeoutMs,
      };
    case 'webhook':
      return { channel: new WebhookChannel({ ...config, name }), timeoutMs: config.timeoutMs };
  }
}

/** Outcomes and breaker changes go to the log; messages are already scrubbed by the channels. */
function observe(
  name: string,
  dispatcher: ChannelDispatcher,
  policy: ChannelPolicy,
  logger: Logger,
): Disposable[] {
  const log = logger.child({ channel: name });
  return [
    dispatcher.onOutcome(({ notification, outcome, error }) => {
      const fields = { group: notification.group, reason: notification.reason, outcome };
      if (outcome === 'delivered') log.debug(fields, 'alert notification delivered');
      else log.warn({ ...fields, error }, `alert notification ${outcome}`);
    }),
    policy.breaker.onBreak(({ reason }) => log.warn({ reason }, 'alert channel breaker opened')),
    policy.breaker.onReset(({ reason }) => log.info({ reason }, 'alert channel breaker closed')),
  ];
}
