// Takes commands from one bot's chats by long polling getUpdates, behind its own breaker and backoff so a
// blocked or failing Bot API costs one request per break, never a busy loop. Commands from chats on the
// allow-list run and are answered; anything else is ignored and logged. Started per trading term, so in
// a cluster only the leader polls and every command runs once.

import type { Backoff } from '../../core/backoff/backoff.js';
import { ExponentialBackoff } from '../../core/backoff/exponential-backoff.js';
import { ConsecutiveBreaker } from '../../core/breaker/consecutive-breaker.js';
import { CircuitBreakerPolicy } from '../../core/circuit-breaker.js';
import type { Clock } from '../../core/clock.js';
import { isCircuitOpenError } from '../../core/errors.js';
import type { Rng } from '../../core/random.js';
import type { Logger } from '../../logging/logger.js';
import type { BotApiClient, BotUpdate } from './bot-api-client.js';
import type { BotCommands } from './bot-commands.js';

export interface CommandPollerOptions {
  /** Channel name, for logs and as part of who acted (`ops:42`). */
  readonly channel: string;
  readonly api: Pick<BotApiClient, 'getUpdates' | 'sendMessage'>;
  readonly commands: Pick<BotCommands, 'run'>;
  /** Chats whose commands are obeyed. */
  readonly allowedChatIds: readonly string[];
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger: Logger;
  /** Consecutive failed polls that open the breaker. Default 5. */
  readonly failuresMax?: number;
  /** How long the open breaker keeps the poller away, ms. Default 60_000. */
  readonly breakDurationMs?: number;
  /** Upper bound of the wait after a failed poll, ms (the first is up to 1_000, doubling). Default 30_000. */
  readonly delayMaxMs?: number;
}

/** Telegram and Bale take at most this many characters per message. */
const REPLY_CHARS_MAX = 4_096;
/** A failed poll waits at least this long, so full jitter never makes a tight loop, ms. */
const RETRY_DELAY_MIN_MS = 250;

export class CommandPoller {
  readonly breaker: CircuitBreakerPolicy;
  readonly #o: CommandPollerOptions;
  readonly #initialBackoff: Backoff;
  readonly #logger: Logger;
  readonly #allowed: ReadonlySet<string>;
  #controller: AbortController | undefined;
  #running: Promise<void> | undefined;
  #offset = 0;

  constructor(options: CommandPollerOptions) {
    this.#o = options;
    this.#allowed = new Set(options.allowedChatIds);
    this.#logger = options.logger.child({ component: 'bot-commands', channel: options.channel });
    this.breaker = new CircuitBreakerPolicy({
      breaker: new ConsecutiveBreaker({ failuresMax: options.failuresMax ?? 5 }),
      breakDurationMs: options.breakDurationMs ?? 60_000,
      clock: options.clock,
    });
    this.#initialBackoff = new ExponentialBackoff({
      delayInitialMs: 1_000,
      delayMaxMs: options.delayMaxMs ?? 30_000,
      rng: options.rng,
    });
  }

  start(): void {
    if (this.#running !== undefined) return;
    const controller = new AbortController();
    this.#controller = controller;
    this.#running = this.#loop(controller.signal);
    this.#logger.info('taking commands from the messenger');
  }

  /** Aborts the poll in flight and waits for the loop to end. */
  async stop(): Promise<void> {
    this.#controller?.abort(new Error('command poller stopped'));
    await this.#running;
    this.#running = undefined;
    this.#controller = undefined;
  }

  async #loop(signal: AbortSignal): Promise<void> {
    let backoff = this.#initialBackoff;
    while (!signal.aborted) {
      let updates: BotUpdate[];
      try {
        updates = await this.breaker.execute(() => this.#o.api.getUpdates(this.#offset, signal), signal);
        backoff = this.#initialBackoff;
      } catch (error) {
        if (signal.aborted) return;
        backoff = backoff.next();
        const waitMs = this.#waitAfter(error, backoff);
        this.#logger.warn({ err: error, waitMs }, 'getUpdates failed: waiting before the next poll');
        await this.#o.clock.sleep(waitMs, signal).catch(() => undefined);
        continue;
      }
      for (const update of updates) {
        // Confirmed with the next poll whatever happens: a command never runs twice on this instance.
        this.#offset = Math.max(this.#offset, update.updateId + 1);
        if (update.message !== undefined) await this.#handle(update.message, signal);
      }
    }
  }

  #waitAfter(error: unknown, backoff: Backoff): number {
    if (isCircuitOpenError(error) && error.retryAtMs !== undefined)
      return Math.max(RETRY_DELAY_MIN_MS, error.retryAtMs - this.#o.clock.nowMs());
    return RETRY_DELAY_MIN_MS + backoff.duration;
  }

  async #handle(message: { chatId: string; text: string }, signal: AbortSignal): Promise<void> {
    if (!message.text.startsWith('/')) return;
    if (!this.#allowed.has(message.chatId)) {
      // The text is the stranger's: only its first word is logged.
      this.#logger.warn(
        { chatId: message.chatId, command: message.text.split(/\s/, 1)[0]?.slice(0, 32) },
        'command from a chat not on the allow-list: ignored',
      );
      return;
    }
    const by = `${this.#o.channel}:${message.chatId}`;
    const reply = await this.#o.commands.run(message.text, by);
    this.#logger.info({ chatId: message.chatId, command: message.text.split(/\s/, 1)[0] }, 'command run');
    try {
      await this.#o.api.sendMessage(message.chatId, reply.slice(0, REPLY_CHARS_MAX), signal);
    } catch (error) {
      if (!signal.aborted)
        this.#logger.warn({ err: error, chatId: message.chatId }, 'could not answer a command');
    }
  }
}
