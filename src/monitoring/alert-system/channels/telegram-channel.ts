// Sends notifications through the Telegram Bot API (sendMessage), one message per chat, paced per
// chat. A 429 becomes a RateLimitedError carrying the server's retry_after, which the retry policy
// waits out exactly. The bot token is in the URL path only, and scrubbed from every error.

import type { Secret } from '../../../config/secret.js';
import { type Clock, systemClock } from '../../../core/clock.js';
import { isAbortedError, RateLimitedError } from '../../../core/errors.js';
import { type Logger, silentLogger } from '../../../logging/logger.js';
import type { Notification } from '../alert.js';
import type { AlertChannel } from '../channel.js';
import { ChannelHttpClient, type HttpAnswer } from './channel-http-client.js';
import { ChatPacer } from './chat-pacer.js';
import { ChannelDeliveryError, isChannelDeliveryError } from './errors.js';
import { escapeHtml, plainText } from './notification-format.js';
import { combineFailures, RecipientProgress } from './recipient-progress.js';

export interface TelegramChannelOptions {
  readonly botToken: Secret;
  /** Chat ids (or @channel names), in [1, 20]. */
  readonly chatIds: readonly string[];
  /** Bot API base URL. Default https://api.telegram.org. */
  readonly apiBaseUrl?: string;
  /** Per-request connect, headers and body timeout, ms. */
  readonly timeoutMs: number;
  /** Minimum time between two messages to one chat, ms. Default 1_000. */
  readonly chatIntervalMs?: number;
  /** Sent as parse_mode; with 'HTML' the text is escaped. Default none (plain text). */
  readonly parseMode?: 'HTML';
  /** Default systemClock. */
  readonly clock?: Clock;
  /** Default silentLogger. */
  readonly logger?: Logger;
}

export const TELEGRAM_CHATS_MAX = 20;
/** sendMessage accepts at most 4096 characters. */
export const TELEGRAM_TEXT_CHARS_MAX = 4_096;
/** A retry_after beyond this is treated as this, s: an hour is already "give up for now". */
const RETRY_AFTER_SECONDS_MAX = 3_600;

export class TelegramChannel implements AlertChannel {
  readonly name = 'telegram';
  readonly #options: TelegramChannelOptions;
  readonly #url: string;
  readonly #http: ChannelHttpClient;
  readonly #pacer: ChatPacer;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #progress = new RecipientProgress();

  constructor(options: TelegramChannelOptions) {
    if (options.chatIds.length < 1 || options.chatIds.length > TELEGRAM_CHATS_MAX)
      throw new RangeError(
        `chatIds must hold 1 to ${TELEGRAM_CHATS_MAX} chats, was ${options.chatIds.length}`,
      );
    const token = options.botToken.reveal();
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'alert-channel', channel: this.name });
    this.#url = `${(options.apiBaseUrl ?? 'https://api.telegram.org').replace(/\/+$/, '')}/bot${token}/sendMessage`;
    this.#http = new ChannelHttpClient({
      channel: this.name,
      timeoutMs: options.timeoutMs,
      secrets: [token],
    });
    this.#pacer = new ChatPacer({
      intervalMs: options.chatIntervalMs ?? 1_000,
      chatsMax: TELEGRAM_CHATS_MAX,
      clock: this.#clock,
    });
  }

  async send(notification: Notification, signal: AbortSignal): Promise<void> {
    const plain = plainText(notification, TELEGRAM_TEXT_CHARS_MAX);
    const text = this.#options.parseMode === 'HTML' ? escapeHtml(plain) : plain;
    const chats = this.#progress.pending(notification, this.#options.chatIds);
    const failures: ChannelDeliveryError[] = [];
    for (const chat of chats) {
      try {
        await this.#pacer.take(chat, signal);
        await this.#sendOne(chat, text, signal);
        this.#progress.markDelivered(notification, chat);
      } catch (error) {
        // A rate limit is bot-wide in practice: stop here, the retry resumes with the chats left.
        if (isAbortedError(error) || !isChannelDeliveryError(error)) throw error;
        failures.push(error);
      }
    }
    if (failures.length > 0) throw combineFailures(this.name, failures, chats.length);
  }

  async close(): Promise<void> {
    await this.#http.close();
  }

  async #sendOne(chat: string, text: string, signal: AbortSignal): Promise<void> {
    const body = {
      chat_id: chat,
      text,
      ...(this.#options.parseMode === undefined ? {} : { parse_mode: this.#options.parseMode }),
    };
    const answer = await this.#http.post({
      url: this.#url,
      body: { kind: 'json', value: body },
      target: 'sendMessage',
      signal,
    });
    if (answer.status === 429) {
      const retryAfterMs = retryAfterMsOf(answer);
      this.#pacer.holdUntil(chat, this.#clock.nowMs() + retryAfterMs);
      this.#logger.warn({ chat, retryAfterMs }, 'telegram rate limit: waiting as asked');
      throw new RateLimitedError(
        `telegram: sendMessage answered HTTP 429, retry after ${retryAfterMs} ms`,
        retryAfterMs,
      );
    }
    this.#http.expectSuccess(answer, 'sendMessage');
    if (parseOk(answer.text) === false)
      throw new ChannelDeliveryError('telegram: sendMessage answered ok: false', {
        channel: this.name,
        status: answer.status,
        retryable: false,
      });
  }
}

/** `parameters.retry_after` in seconds; without it, one second. */
function retryAfterMsOf(answer: HttpAnswer): number {
  const seconds = retryAfterSecondsOf(answer.text) ?? 1;
  return Math.ceil(Math.min(seconds, RETRY_AFTER_SECONDS_MAX) * 1_000);
}

function retryAfterSecondsOf(text: string): number | undefined {
  try {
    const seconds = (JSON.parse(text) as { parameters?: { retry_after?: unknown } }).parameters?.retry_after;
    return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
  } catch {
    return undefined;
  }
}

function parseOk(text: string): boolean | undefined {
  try {
    const ok = (JSON.parse(text) as { ok?: unknown }).ok;
    return typeof ok === 'boolean' ? ok : undefined;
  } catch {
    return undefined;
  }
}
