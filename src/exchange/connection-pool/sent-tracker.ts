// Knows whether undici wrote a request's headers to a socket, via its diagnostics channel.
// A marker header ties the channel message to our request; only tracked ids are remembered.
import diagnosticsChannel from 'node:diagnostics_channel';

export const REQUEST_ID_HEADER = 'x-keel-request-id';
const ID_PATTERN = new RegExp(`^${REQUEST_ID_HEADER}: (\\S+)\\r$`, 'im');

/** ids in flight → whether their headers were written. Bounded by the requests in flight. */
const tracked = new Map<string, boolean>();
let nextId = 0;
let subscribed = false;

function onSendHeaders(message: unknown): void {
  const headers = (message as { headers?: unknown }).headers;
  if (typeof headers !== 'string') return;
  const id = ID_PATTERN.exec(headers)?.[1];
  if (id !== undefined && tracked.has(id)) tracked.set(id, true);
}

export interface SentTracking {
  readonly id: string;
  /** True once the request line and headers were handed to the socket. */
  wasWritten(): boolean;
  release(): void;
}

const ID_PREFIX = `${process.pid.toString(36)}-`;

/** One object per request, no closures: it is on every call's path. */
class Tracking implements SentTracking {
  constructor(readonly id: string) {}

  wasWritten(): boolean {
    return tracked.get(this.id) === true;
  }

  release(): void {
    tracked.delete(this.id);
  }
}

export function trackSending(): SentTracking {
  if (!subscribed) {
    diagnosticsChannel.subscribe('undici:client:sendHeaders', onSendHeaders);
    subscribed = true;
  }
  nextId = (nextId + 1) % Number.MAX_SAFE_INTEGER;
  const id = ID_PREFIX + nextId.toString(36);
  tracked.set(id, false);
  return new Tracking(id);
}
