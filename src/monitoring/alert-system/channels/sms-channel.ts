// Sends notifications as SMS through an HTTP gateway: Twilio, Kavenegar, or a generic JSON endpoint.
// One message per recipient; a retry skips recipients that already have it.

import type { Secret } from '../../../config/secret.js';
import { isAbortedError } from '../../../core/errors.js';
import type { Notification } from '../alert.js';
import type { AlertChannel } from '../channel.js';
import { ChannelHttpClient, type HttpPost } from './channel-http-client.js';
import { ChannelDeliveryError, isChannelDeliveryError } from './errors.js';
import { plainText } from './notification-format.js';
import { combineFailures, RecipientProgress } from './recipient-progress.js';

export type SmsProvider = 'twilio' | 'kavenegar' | 'generic';

export interface SmsChannelOptions {
  /** Channel name as configured (routes name it). Default the kind, `sms`. */
  readonly name?: string;
  /** Proxy setting (`direct` or a URL); unset follows HTTPS_PROXY / NO_PROXY. */
  readonly proxy?: Secret;
  readonly provider: SmsProvider;
  /** Gateway base URL; required for generic, defaults to the provider's public API otherwise. */
  readonly url?: string;
  /** Twilio account SID. */
  readonly accountSid?: string;
  /** Twilio auth token. */
  readonly authToken?: Secret;
  /** Kavenegar API key (part of the URL path); for generic, sent as a Bearer token. */
  readonly apiKey?: Secret;
  /** Sender number or name; required for Twilio. */
  readonly from?: string;
  /** Recipient numbers, in [1, 20]. */
  readonly to: readonly string[];
  /** Per-request connect, headers and body timeout, ms. */
  readonly timeoutMs: number;
  /** Characters per message at most. Default 480 (three SMS segments). */
  readonly textCharsMax?: number;
}

export const SMS_RECIPIENTS_MAX = 20;
export const SMS_DEFAULT_URLS: Readonly<Record<Exclude<SmsProvider, 'generic'>, string>> = {
  twilio: 'https://api.twilio.com',
  kavenegar: 'https://api.kavenegar.com',
};

type RequestFor = (recipient: string, text: string, signal: AbortSignal) => HttpPost;

export class SmsChannel implements AlertChannel {
  readonly name: string;
  readonly #options: SmsChannelOptions;
  readonly #http: ChannelHttpClient;
  readonly #requestFor: RequestFor;
  readonly #textCharsMax: number;
  readonly #progress = new RecipientProgress();

  constructor(options: SmsChannelOptions) {
    this.name = options.name ?? 'sms';
    if (options.to.length < 1 || options.to.length > SMS_RECIPIENTS_MAX)
      throw new RangeError(`to must hold 1 to ${SMS_RECIPIENTS_MAX} numbers, was ${options.to.length}`);
    this.#textCharsMax = options.textCharsMax ?? 480;
    if (!(Number.isInteger(this.#textCharsMax) && this.#textCharsMax >= 16))
      throw new RangeError(`textCharsMax must be an integer >= 16, was ${this.#textCharsMax}`);
    this.#options = options;
    const secrets = [options.authToken?.reveal(), options.apiKey?.reveal()].filter(
      (value) => value !== undefined,
    );
    if (options.provider === 'twilio' && options.accountSid !== undefined && options.authToken !== undefined)
      secrets.push(basicAuth(options.accountSid, options.authToken));
    this.#http = new ChannelHttpClient({
      channel: this.name,
      timeoutMs: options.timeoutMs,
      secrets,
      origin: options.url ?? (options.provider === 'generic' ? '' : SMS_DEFAULT_URLS[options.provider]),
      proxy: options.proxy?.reveal(),
    });
    this.#requestFor = requestBuilder(options);
  }

  async send(notification: Notification, signal: AbortSignal): Promise<string> {
    const text = plainText(notification, this.#textCharsMax);
    const recipients = this.#progress.pending(notification, this.#options.to);
    const failures: ChannelDeliveryError[] = [];
    const answers: string[] = [];
    for (const recipient of recipients) {
      try {
        answers.push(`${recipient}: ${await this.#sendOne(this.#requestFor(recipient, text, signal))}`);
        this.#progress.markDelivered(notification, recipient);
      } catch (error) {
        if (isAbortedError(error) || !isChannelDeliveryError(error)) throw error;
        failures.push(error);
      }
    }
    if (failures.length > 0) throw combineFailures(this.name, failures, recipients.length);
    return answers.join('\n');
  }

  async close(): Promise<void> {
    await this.#http.close();
  }

  async #sendOne(post: HttpPost): Promise<string> {
    const answer = await this.#http.post(post);
    this.#http.expectSuccess(answer, post.target);
    if (this.#options.provider === 'kavenegar') checkKavenegarStatus(answer.text, post.target);
    return this.#http.describe(answer);
  }
}

function requestBuilder(options: SmsChannelOptions): RequestFor {
  switch (options.provider) {
    case 'twilio': {
      const { accountSid, authToken, from } = options;
      if (accountSid === undefined || authToken === undefined || from === undefined)
        throw new RangeError('sms provider twilio needs accountSid, authToken and from');
      const url = `${baseUrl(options.url ?? SMS_DEFAULT_URLS.twilio)}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`;
      const headers = { authorization: basicAuth(accountSid, authToken) };
      return (to, text, signal) => ({
        url,
        headers,
        signal,
        target: 'twilio Messages',
        body: { kind: 'form', fields: { To: to, From: from, Body: text } },
      });
    }
    case 'kavenegar': {
      const { apiKey, from } = options;
      if (apiKey === undefined) throw new RangeError('sms provider kavenegar needs apiKey');
      const url = `${baseUrl(options.url ?? SMS_DEFAULT_URLS.kavenegar)}/v1/${encodeURIComponent(apiKey.reveal())}/sms/send.json`;
      return (to, text, signal) => ({
        url,
        signal,
        target: 'kavenegar sms/send',
        body: {
          kind: 'form',
          fields: { receptor: to, message: text, ...(from === undefined ? {} : { sender: from }) },
        },
      });
    }
    case 'generic': {
      if (options.url === undefined) throw new RangeError('sms provider generic needs url');
      const url = options.url;
      const headers: Record<string, string> =
        options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey.reveal()}` };
      const from = options.from;
      return (to, text, signal) => ({
        url,
        headers,
        signal,
        target: 'sms gateway',
        body: { kind: 'json', value: { to, message: text, ...(from === undefined ? {} : { from }) } },
      });
    }
  }
}

function basicAuth(user: string, password: Secret): string {
  return `Basic ${Buffer.from(`${user}:${password.reveal()}`).toString('base64')}`;
}

function baseUrl(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Kavenegar also reports failures inside a 200 body: `{ "return": { "status": 4xx, "message": … } }`. */
function checkKavenegarStatus(text: string, target: string): void {
  let status: unknown;
  try {
    status = (JSON.parse(text) as { return?: { status?: unknown } }).return?.status;
  } catch {
    return; // not JSON: the HTTP status already said 2xx
  }
  if (typeof status === 'number' && status !== 200)
    throw new ChannelDeliveryError(`sms: ${target} answered return.status ${status}`, {
      channel: 'sms',
      status,
      retryable: status >= 500,
    });
}
