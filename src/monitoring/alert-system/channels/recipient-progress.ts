// Remembers, per notification, which recipients already have it: a retry after a partial failure then
// goes only to the others, so nobody gets the same alert twice. Keyed weakly: a notification that is
// done (delivered or given up) is forgotten with it, so the memory is bounded by the queues.
import type { Notification } from '../alert.js';
import { ChannelDeliveryError } from './errors.js';

export class RecipientProgress {
  readonly #delivered = new WeakMap<Notification, Set<string>>();

  pending(notification: Notification, recipients: readonly string[]): string[] {
    const done = this.#delivered.get(notification);
    return recipients.filter((recipient) => done === undefined || !done.has(recipient));
  }

  markDelivered(notification: Notification, recipient: string): void {
    let done = this.#delivered.get(notification);
    if (done === undefined) {
      done = new Set();
      this.#delivered.set(notification, done);
    }
    done.add(recipient);
  }
}

/** One error for the recipients that failed: retryable when any failure was. */
export function combineFailures(
  channel: string,
  failures: readonly ChannelDeliveryError[],
  recipientCount: number,
): ChannelDeliveryError {
  const first = failures[0];
  if (first !== undefined && failures.length === 1 && recipientCount === 1) return first;
  const messages = failures.map((failure) => failure.message).join('; ');
  return new ChannelDeliveryError(
    `${channel}: ${failures.length} of ${recipientCount} recipient(s) failed: ${messages}`,
    {
      channel,
      ...(first?.status === undefined ? {} : { status: first.status }),
      retryable: failures.some((failure) => failure.retryable),
    },
  );
}
