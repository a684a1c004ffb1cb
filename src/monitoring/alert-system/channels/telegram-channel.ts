// Sends notifications through the Telegram Bot API or Bale's copy of it (sendMessage), one message per
// chat, paced per chat. A 429 becomes a RateLimitedError carrying the server's retry_after, which the retry policy
// waits out exactly. The bot token is in the URL path only, and scrubbed from every error.

import { BOT_API_BASE_URLS } from '../../../config/schema-alerts.js';
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

export type BotApiKind = 'telegram' | 'bale';

export interface TelegramChannelOptions {
  /** Which messenger: its default address and limits. Default 'telegram'. */
  readonly kind?: BotApiKind;
  /** Channel name as configured (routes name it). Default the kind. */
  readonly name?: string;
  /** Proxy setting (`direct` or a URL); unset follows HTTPS_PROXY / NO_PROXY. */
  readonly proxy?: Secret;
  readonly botToken: Secret;
  /** Chat ids (or @channel names), in [1, 20]. */
  readonly chatIds: readonly string[];
  /** Bot API base URL. Default https://api.telegram.org (telegram) or https://tapi.bale.ai (bale). */
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
/** Telegram's sendMessage accepts at most 4096 characters. */
export const TELEGRAM_TEXT_CHARS_MAX = 4_096;

/**
 * Per messenger: the longest message text and the pause between two messages to one chat. Bale takes
 * 4096 characters like Telegram; it publishes no rate, so it gets Telegram's one message per second per
 * chat, and its 429 answers are waited out the same way.
 */
export const BOT_API_LIMITS: Readonly<Record<BotApiKind, { textCharsMax: number; chatIntervalMs: number }>> =
  {
    telegram: { textCharsMax: TELEGRAM_TEXT_CHARS_MAX, chatIntervalMs: 1_000 },
    bale: { textCharsMax: 4_096, chatIntervalMs: 1_000 },
  };
/** A retry_after beyond this is treated as this, s: an hour is already "give up for now". */
const RETRY_AFTER_SECONDS_MAX = 3_600;

export class TelegramChannel implements AlertChannel {
  readonly name: string;
  readonly kind: BotApiKind;
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
    this.kind = options.kind ?? 'telegram';
    this.name = options.name ?? this.kind;
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'alert-channel', channel: this.name });
    const baseUrl = (options.apiBaseUrl ?? BOT_API_BASE_URLS[this.kind]).replace(/\/+$/, '');
    this.#url = `${baseUrl}/bot${token}/sendMessage`;
    this.#http = new ChannelHttpClient({
      channel: this.name,
      timeoutMs: options.timeoutMs,
      secrets: [token],
      origin: new URL(baseUrl).origin,
      proxy: options.proxy?.reveal(),
    });
    this.#pacer = new ChatPacer({
      intervalMs: options.chatIntervalMs ?? BOT_API_LIMITS[this.kind].chatIntervalMs,
      chatsMax: TELEGRAM_CHATS_MAX,
      clock: this.#clock,
    });
  }

  /** The proxy in use without credentials, or `direct`. */
  get proxy(): string {
    return this.#http.proxy;
  }

  async send(notification: Notification, signal: AbortSignal): Promise<string> {
    const plain = plainText(notification, BOT_API_LIMITS[this.kind].textCharsMax);
    const text = this.#options.parseMode === 'HTML' ? escapeHtml(plain) : plain;
    const chats = this.#progress.pending(notification, this.#options.chatIds);
    const failures: ChannelDeliveryError[] = [];
    const answers: string[] = [];
    for (const chat of chats) {
      try {
        await this.#pacer.take(chat, signal);
        answers.push(`chat ${chat}: ${await this.#sendOne(chat, text, signal)}`);
        this.#progress.markDelivered(notification, chat);
      } catch (error) {
        // A rate limit is bot-wide in practice: stop here, the retry resumes with the chats left.
        if (isAbortedError(error) || !isChannelDeliveryError(error)) throw error;
        failures.push(error);
      }
    }
    if (failures.length > 0) throw combineFailures(this.name, failures, chats.length);
    return answers.join('\n');
  }

  async close(): Promise<void> {
    await this.#http.close();
  }

  async #sendOne(chat: string, text: string, signal: AbortSignal): Promise<string> {
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
      this.#logger.warn({ chat, retryAfterMs }, `${this.kind} rate limit: waiting as asked`);
      throw new RateLimitedError(
        `${this.name}: sendMessage answered HTTP 429, retry after ${retryAfterMs} ms`,
        retryAfterMs,
      );
    }
    this.#http.expectSuccess(answer, 'sendMessage');
    if (parseOk(answer.text) === false)
      throw new ChannelDeliveryError(`${this.name}: sendMessage answered ok: false`, {
        channel: this.name,
        status: answer.status,
        retryable: false,
      });
    return this.#http.describe(answer);
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
