// Sends notifications as mail through SMTP (nodemailer). Every SMTP timeout is set from timeoutMs,
// the library's own logger is off (it would print the conversation), and errors are scrubbed.
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import * as socks from 'socks';
import type { Secret } from '../../../config/secret.js';
import { AbortedError } from '../../../core/errors.js';
import { chooseProxy, proxySecrets } from '../../../net/proxy-route.js';
import { isLoopbackHost } from '../../api/access-control.js';
import { type Notification, notificationText } from '../alert.js';
import type { AlertChannel } from '../channel.js';
import { ChannelDeliveryError, errorText } from './errors.js';
import { notificationHtml } from './notification-format.js';

export interface EmailChannelOptions {
  /** Channel name as configured (routes name it). Default the kind, `email`. */
  readonly name?: string;
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (465); false upgrades with STARTTLS when the server offers it. */
  readonly secure: boolean;
  readonly user?: string;
  readonly password?: Secret;
  readonly from: string;
  /** Recipients, in [1, 50]. */
  readonly to: readonly string[];
  /** Connection, greeting, DNS and socket inactivity timeouts, ms. */
  readonly timeoutMs: number;
  /** Refuse to send (and authenticate) without TLS. Default: true unless host is loopback. */
  readonly requireTls?: boolean;
  /** Proxy setting (`direct`, http(s):// CONNECT or socks5://); unset follows ALL_PROXY / NO_PROXY. */
  readonly proxy?: Secret;
}

/** A password and alerts cross the network only encrypted; a relay on this machine may go without. */
export const requireTlsDefault = (host: string): boolean => !isLoopbackHost(host);

export const EMAIL_RECIPIENTS_MAX = 50;

export class EmailChannel implements AlertChannel {
  readonly name: string;
  readonly #options: EmailChannelOptions;
  readonly #secrets: readonly string[];
  readonly #transport: nodemailer.Transporter<SMTPTransport.SentMessageInfo, SMTPTransport.Options>;

  constructor(options: EmailChannelOptions) {
    this.name = options.name ?? 'email';
    if (options.to.length < 1 || options.to.length > EMAIL_RECIPIENTS_MAX)
      throw new RangeError(`to must hold 1 to ${EMAIL_RECIPIENTS_MAX} recipients, was ${options.to.length}`);
    if (!(Number.isInteger(options.timeoutMs) && options.timeoutMs > 0))
      throw new RangeError(`timeoutMs must be a positive integer, was ${options.timeoutMs}`);
    if (options.password !== undefined && options.user === undefined)
      throw new RangeError('password is set but user is not: SMTP auth needs both');
    this.#options = options;
    const route = chooseProxy({
      setting: options.proxy?.reveal(),
      target: `smtp://${options.host}:${options.port}`,
    });
    this.#secrets = [
      ...(options.password === undefined ? [] : [options.password.reveal()]),
      ...proxySecrets(route),
    ];
    const transportOptions: SMTPTransport.Options = {
      host: options.host,
      port: options.port,
      secure: options.secure,
      requireTLS: options.requireTls ?? requireTlsDefault(options.host),
      ...(options.user === undefined
        ? {}
        : { auth: { user: options.user, pass: options.password?.reveal() ?? '' } }),
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
      dnsTimeout: options.timeoutMs,
      logger: false,
      debug: false,
      // nodemailer knows socks5 (it resolves nothing itself for it either way), not socks5h.
      ...(route.kind === 'direct' ? {} : { proxy: route.url.href.replace(/^socks5h:/, 'socks5:') }),
    };
    this.#transport = nodemailer.createTransport(transportOptions);
    if (route.kind === 'socks5') this.#transport.set('proxy_socks_module', socks);
  }

  async send(notification: Notification, signal: AbortSignal): Promise<string> {
    const { subject, body } = notificationText(notification);
    const sending = this.#transport.sendMail({
      from: this.#options.from,
      to: [...this.#options.to],
      subject,
      text: body,
      html: notificationHtml(notification),
    });
    let info: SMTPTransport.SentMessageInfo;
    try {
      // nodemailer takes no signal: stop waiting on abort; its own socket timeouts end the send.
      info = await raceAbort(sending, signal);
    } catch (error) {
      if (signal.aborted) throw new AbortedError('email: send aborted', { cause: signal.reason });
      throw new ChannelDeliveryError(`email: SMTP send failed: ${errorText(error, this.#secrets)}`, {
        channel: this.name,
        retryable: isRetryableSmtpError(error),
      });
    }
    if (info.accepted.length === 0)
      throw new ChannelDeliveryError(`email: no recipient accepted (${info.rejected.length} rejected)`, {
        channel: this.name,
        retryable: false,
      });
    return `SMTP ${info.response} (${info.accepted.length} accepted, ${info.rejected.length} rejected)`;
  }

  close(): void {
    this.#transport.close();
  }
}

/** SMTP 5xx replies and failed logins are permanent; 4xx replies and connection problems are not. */
function isRetryableSmtpError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return true;
  const { code, responseCode } = error as { code?: unknown; responseCode?: unknown };
  if (code === 'EAUTH' || code === 'EENVELOPE') return false;
  if (typeof responseCode === 'number') return responseCode < 500;
  return true;
}

function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => undefined); // abandoned on abort: its late failure must not go unhandled
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
