// Subscription options: one default each, validated once, with the value in every message.
import { type Backoff, exponentialBackoff } from './backoff.js';

export interface SubscribeOptions {
  /** Handlers running at once (each on a different partition key). Default 4. */
  readonly concurrencyMax?: number;
  /** Claimed messages waiting for a free handler slot. Default 16. */
  readonly bufferMax?: number;
  /** A claimed message waiting longer for a handler slot goes back to the bus for a later claim, ms. Default 60000. */
  readonly queueWaitMaxMs?: number;
  /** Deliveries before a message is quarantined (failures and expired leases both count). Default 5. */
  readonly attemptsMax?: number;
  /** Delay before redelivering after a failure. Default exponential 1 s doubling up to 60 s. */
  readonly backoff?: Backoff;
  /** A handler running longer is abandoned (its signal aborts) and counted as a failed attempt, ms. Default 60000. */
  readonly handlerTimeoutMs?: number;
  /** How long a claim lasts without renewal; renewed every leaseMs/3 while held. Default 30000. */
  readonly leaseMs?: number;
  /** Polling period when nothing wakes the consumer (other processes publishing, retries falling due), ms. Default 1000. */
  readonly pollIntervalMs?: number;
}

export type SubscriptionSettings = Required<SubscribeOptions>;

export const SUBSCRIPTION_DEFAULTS = {
  concurrencyMax: 4,
  bufferMax: 16,
  queueWaitMaxMs: 60_000,
  attemptsMax: 5,
  handlerTimeoutMs: 60_000,
  leaseMs: 30_000,
  pollIntervalMs: 1_000,
} as const;

export function subscriptionSettings(options: SubscribeOptions = {}): SubscriptionSettings {
  const settings: SubscriptionSettings = {
    ...SUBSCRIPTION_DEFAULTS,
    backoff: exponentialBackoff(),
    ...options,
  };
  const positive = [
    'concurrencyMax',
    'attemptsMax',
    'handlerTimeoutMs',
    'queueWaitMaxMs',
    'leaseMs',
    'pollIntervalMs',
  ] as const;
  for (const name of positive) {
    const value = settings[name];
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`${name} must be an integer >= 1, was ${value}`);
  }
  if (!Number.isInteger(settings.bufferMax) || settings.bufferMax < 0)
    throw new RangeError(`bufferMax must be an integer >= 0, was ${settings.bufferMax}`);
  // Expired leases are only found by polling: a poll slower than the lease would make the lease moot.
  if (settings.pollIntervalMs >= settings.leaseMs)
    throw new RangeError(
      `pollIntervalMs must be below leaseMs (${settings.leaseMs}), was ${settings.pollIntervalMs}`,
    );
  if (typeof settings.backoff !== 'function')
    throw new RangeError(`backoff must be a function, was ${typeof settings.backoff}`);
  return settings;
}
