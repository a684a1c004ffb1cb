// The connection under the fill stream: something that keeps the private channels subscribed and
// reports publications and whether every channel is subscribed. Over the network it is Centrifuge on
// `ws` (centrifuge-link.ts); the deterministic chaos world gives an in-process one on its fake clock.

/** What a link reports to the stream. */
export interface PushLinkEvents {
  /** A publication's `data` on one of the requested channels. */
  publication(channel: string, data: unknown): void;
  /** Every requested channel is subscribed. */
  up(): void;
  /** Not every channel is subscribed any more (reconnecting, resubscribing). */
  down(): void;
  /** A failure worth a log line and the stream's lastError; never carries the token. */
  failure(what: string, error: unknown): void;
}

export interface PushLinkRequest {
  /** Fetches a fresh connection token, whenever the link needs one. */
  readonly fetchToken: () => Promise<string>;
  readonly channels: readonly string[];
  readonly events: PushLinkEvents;
}

/** An open link: it reconnects on its own until closed. */
export interface PushLink {
  close(): void;
}

export type OpenPushLink = (request: PushLinkRequest) => PushLink;
