// The two Bot API calls the command poller needs, for Telegram and Bale alike: getUpdates (long poll)
// and sendMessage (a reply). The token is in the URL path only and is scrubbed from every error.
import type { Secret } from '../../config/secret.js';
import { ChannelHttpClient } from '../alert-system/channels/channel-http-client.js';
import { ChannelDeliveryError } from '../alert-system/channels/errors.js';

export interface BotApiClientOptions {
  /** Channel name, the first word of every error. */
  readonly channel: string;
  readonly botToken: Secret;
  readonly apiBaseUrl: string;
  /** Connect and answer timeout of a request beyond the long poll itself, ms. */
  readonly timeoutMs: number;
  /** How long one getUpdates waits for a message, s. */
  readonly pollTimeoutS: number;
  /** Proxy setting; unset follows HTTPS_PROXY / NO_PROXY. */
  readonly proxy?: Secret;
}

/** A text message from a chat: what the poller acts on. */
export interface BotUpdate {
  readonly updateId: number;
  /** Undefined for updates that are not text messages (joins, edits, stickers…). */
  readonly message?: { readonly chatId: string; readonly text: string };
}

/** Updates taken per poll at most (the Bot API's own limit is 100). */
const UPDATES_MAX = 100;

export class BotApiClient {
  readonly #base: string;
  readonly #pollTimeoutS: number;
  readonly #http: ChannelHttpClient;

  constructor(options: BotApiClientOptions) {
    const baseUrl = options.apiBaseUrl.replace(/\/+$/, '');
    const token = options.botToken.reveal();
    this.#base = `${baseUrl}/bot${token}`;
    this.#pollTimeoutS = options.pollTimeoutS;
    this.#http = new ChannelHttpClient({
      channel: options.channel,
      // A long poll is answered only after pollTimeoutS without news: the timeout must cover it.
      timeoutMs: options.timeoutMs + options.pollTimeoutS * 1_000,
      secrets: [token],
      origin: new URL(baseUrl).origin,
      proxy: options.proxy?.reveal(),
    });
  }

  /** Updates from `offset` on; waiting up to pollTimeoutS for the first one. Confirms those below offset. */
  async getUpdates(offset: number, signal: AbortSignal): Promise<BotUpdate[]> {
    const answer = await this.#http.post({
      url: `${this.#base}/getUpdates`,
      body: {
        kind: 'json',
        value: { offset, timeout: this.#pollTimeoutS, limit: UPDATES_MAX, allowed_updates: ['message'] },
      },
      target: 'getUpdates',
      signal,
    });
    this.#http.expectSuccess(answer, 'getUpdates');
    return parseUpdates(answer.text, this.#http.channel);
  }

  async sendMessage(chatId: string, text: string, signal: AbortSignal): Promise<void> {
    const answer = await this.#http.post({
      url: `${this.#base}/sendMessage`,
      body: { kind: 'json', value: { chat_id: chatId, text } },
      target: 'sendMessage',
      signal,
    });
    this.#http.expectSuccess(answer, 'sendMessage');
  }

  close(): Promise<void> {
    return this.#http.close();
  }
}

function parseUpdates(text: string, channel: string): BotUpdate[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ChannelDeliveryError(`${channel}: getUpdates answered something that is not JSON`, {
      channel,
      retryable: true,
    });
  }
  const result = (parsed as { ok?: unknown; result?: unknown }).result;
  if ((parsed as { ok?: unknown }).ok !== true || !Array.isArray(result))
    throw new ChannelDeliveryError(`${channel}: getUpdates answered without ok and a result list`, {
      channel,
      retryable: true,
    });
  return result.flatMap((raw): BotUpdate[] => {
    const update = raw as { update_id?: unknown; message?: { chat?: { id?: unknown }; text?: unknown } };
    if (typeof update.update_id !== 'number' || !Number.isSafeInteger(update.update_id)) return [];
    const chatId = update.message?.chat?.id;
    const messageText = update.message?.text;
    const isText =
      (typeof chatId === 'number' || typeof chatId === 'string') && typeof messageText === 'string';
    return [
      isText
        ? { updateId: update.update_id, message: { chatId: String(chatId), text: messageText } }
        : { updateId: update.update_id },
    ];
  });
}
