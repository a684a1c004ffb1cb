// Posts notifications to an HTTP webhook as Keel JSON, a Slack message or a Discord message.
// The URL (Slack and Discord put their token in it) and the header values are secrets: errors name
// neither, and any echo of them in a peer's answer is scrubbed.
import type { Secret } from '../../../config/secret.js';
import type { Notification } from '../alert.js';
import type { AlertChannel } from '../channel.js';
import { ChannelHttpClient } from './channel-http-client.js';
import { type WebhookFormat, webhookBody } from './webhook-formats.js';

export interface WebhookChannelOptions {
  /** Channel name as configured (routes name it). Default the kind, `webhook`. */
  readonly name?: string;
  /** Proxy setting (`direct` or a URL); unset follows HTTPS_PROXY / NO_PROXY. */
  readonly proxy?: Secret;
  readonly url: Secret;
  /** Body shape. Default 'json'. */
  readonly format?: WebhookFormat;
  /** Extra request headers, e.g. Authorization; values are secrets. At most 32. */
  readonly headers?: Readonly<Record<string, Secret>>;
  /** Per-request connect, headers and body timeout, ms. */
  readonly timeoutMs: number;
}

export const WEBHOOK_HEADERS_MAX = 32;
/** Headers the channel sets itself; a configured one would corrupt the request. */
const RESERVED_HEADERS = new Set([
  'content-type',
  'content-length',
  'host',
  'transfer-encoding',
  'connection',
]);

export class WebhookChannel implements AlertChannel {
  readonly name: string;
  readonly format: WebhookFormat;
  readonly #url: string;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #http: ChannelHttpClient;

  constructor(options: WebhookChannelOptions) {
    this.name = options.name ?? 'webhook';
    const entries = Object.entries(options.headers ?? {});
    if (entries.length > WEBHOOK_HEADERS_MAX)
      throw new RangeError(`headers must hold at most ${WEBHOOK_HEADERS_MAX} entries, was ${entries.length}`);
    for (const [name] of entries)
      if (RESERVED_HEADERS.has(name.toLowerCase()))
        throw new RangeError(`header ${name} is set by the channel, remove it`);
    this.format = options.format ?? 'json';
    this.#url = options.url.reveal();
    this.#headers = Object.fromEntries(entries.map(([name, value]) => [name, value.reveal()]));
    const url = new URL(this.#url);
    const secrets = [this.#url, `${url.pathname}${url.search}`, ...Object.values(this.#headers)];
    this.#http = new ChannelHttpClient({
      channel: this.name,
      timeoutMs: options.timeoutMs,
      secrets,
      origin: url.origin,
      proxy: options.proxy?.reveal(),
    });
  }

  async send(notification: Notification, signal: AbortSignal): Promise<string> {
    const target = `${this.format} webhook`;
    const answer = await this.#http.post({
      url: this.#url,
      headers: this.#headers,
      body: { kind: 'json', value: webhookBody(this.format, notification) },
      target,
      signal,
    });
    this.#http.expectSuccess(answer, target);
    return this.#http.describe(answer);
  }

  async close(): Promise<void> {
    await this.#http.close();
  }
}
