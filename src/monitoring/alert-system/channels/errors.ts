// Channel errors. Messages never carry a secret: every text from the outside world (a peer's answer, a
// library's error) passes through `scrubSecrets` before it becomes part of a message.
import { isKeelError, KeelError } from '../../../core/errors.js';
import { REDACTED } from '../../../core/redact.js';

export interface ChannelDeliveryErrorOptions {
  /** The channel that failed: `email`, `sms`, `telegram`, `webhook`, `console`. */
  readonly channel: string;
  /** HTTP status of the peer's answer, when there was one. */
  readonly status?: number;
  /** Whether trying again may help (5xx, connection failure) or not (400, 401, 403, 404). */
  readonly retryable: boolean;
}

/** A notification did not reach the peer. */
export class ChannelDeliveryError extends KeelError {
  readonly code = 'KEEL_ERR_CHANNEL_DELIVERY';
  readonly channel: string;
  readonly status: number | undefined;
  readonly retryable: boolean;

  constructor(message: string, options: ChannelDeliveryErrorOptions) {
    super(message);
    this.channel = options.channel;
    this.status = options.status;
    this.retryable = options.retryable;
  }
}
export const isChannelDeliveryError = (e: unknown): e is ChannelDeliveryError =>
  isKeelError(e) && e.code === 'KEEL_ERR_CHANNEL_DELIVERY';

/** Secrets shorter than this are not scrubbed from free text: they would match ordinary words. */
export const SCRUB_LENGTH_MIN = 4;
/** Peer text kept in an error message, characters: enough to diagnose, not a log flood. */
export const PEER_TEXT_MAX = 200;

/** Replaces every occurrence of each secret (and its URL-encoded form) by `[redacted]`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length < SCRUB_LENGTH_MIN) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)]))
      result = result.split(form).join(REDACTED);
  }
  return result;
}

/** A short, scrubbed, single-line excerpt of a peer's answer or a library's error message. */
export function peerText(text: string, secrets: readonly string[]): string {
  const line = scrubSecrets(text, secrets).replace(/\s+/g, ' ').trim();
  return line.length > PEER_TEXT_MAX ? `${line.slice(0, PEER_TEXT_MAX)}…` : line;
}

/** The message of anything thrown, scrubbed; the original object is never kept as a cause. */
export function errorText(error: unknown, secrets: readonly string[]): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  const prefix = typeof code === 'string' && !message.includes(code) ? `${code}: ` : '';
  return peerText(`${prefix}${message}`, secrets);
}

/** Whether an HTTP status says that trying again later may succeed. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}
