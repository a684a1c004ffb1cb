// Server-sent events to dashboards. One subscription to the source fans out to every client; each
// client's unsent bytes are bounded, and a client that cannot keep up is dropped rather than buffered.
import type { ServerResponse } from 'node:http';
import { type Clock, systemClock, type TimerHandle } from '../../core/clock.js';
import { type Disposable, type Event, EventEmitter } from '../../core/events.js';
import { type Logger, silentLogger } from '../../logging/logger.js';
import { EVENT_TYPE_PATTERN, type StatusEvent } from './status-source.js';

export interface EventStreamOptions {
  readonly events: Event<StatusEvent>;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Interval between heartbeat comments, ms; default 15 000. */
  readonly heartbeatMs?: number;
  /** Unsent bytes a client may have queued before it is dropped; default 1 MiB. */
  readonly bufferBytesMax?: number;
  /** Clients at once; more are answered 503. Default 100. */
  readonly clientsMax?: number;
}

export const EVENT_STREAM_DEFAULTS = {
  heartbeatMs: 15_000,
  bufferBytesMax: 1_048_576,
  clientsMax: 100,
} as const;

export type DropReason = 'slow' | 'closed' | 'shutdown';

export class EventStream {
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #heartbeatMs: number;
  readonly #bufferBytesMax: number;
  readonly #clientsMax: number;
  readonly #clients = new Set<ServerResponse>();
  readonly #subscription: Disposable;
  readonly #dropEmitter = new EventEmitter<{ readonly reason: DropReason }>();
  #heartbeat: TimerHandle | undefined;
  #closed = false;

  /** A client went away: it was too slow, it closed, or the server is shutting down. */
  readonly onDrop = this.#dropEmitter.addListener;

  constructor(options: EventStreamOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'dashboard-events' });
    this.#heartbeatMs = positiveInteger(
      'heartbeatMs',
      options.heartbeatMs ?? EVENT_STREAM_DEFAULTS.heartbeatMs,
    );
    this.#bufferBytesMax = positiveInteger(
      'bufferBytesMax',
      options.bufferBytesMax ?? EVENT_STREAM_DEFAULTS.bufferBytesMax,
    );
    this.#clientsMax = positiveInteger('clientsMax', options.clientsMax ?? EVENT_STREAM_DEFAULTS.clientsMax);
    this.#subscription = options.events((event) => this.broadcast(event));
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  get full(): boolean {
    return this.#clients.size >= this.#clientsMax;
  }

  /** Takes over a response: writes the headers and the first event, then streams until it closes. */
  attach(response: ServerResponse, first: StatusEvent): void {
    if (this.#closed || this.full)
      throw new RangeError(`event stream refuses a client, ${this.#clients.size} open`);
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    this.#clients.add(response);
    response.once('close', () => this.#remove(response, 'closed'));
    this.#write(response, 'retry: 3000\n\n');
    this.#write(response, format(first));
    this.#scheduleHeartbeat();
  }

  broadcast(event: StatusEvent): void {
    if (!EVENT_TYPE_PATTERN.test(event.type)) {
      this.#logger.warn({ type: event.type.slice(0, 80) }, 'event with an unsafe type not streamed');
      return;
    }
    // Nobody watching (the usual case during a burst of alerts): no JSON to build.
    if (this.#clients.size === 0) return;
    const text = format(event);
    for (const client of [...this.#clients]) this.#write(client, text);
  }

  /** Ends every stream and stops listening; for server shutdown. */
  close(): void {
    this.#closed = true;
    this.#subscription.dispose();
    if (this.#heartbeat !== undefined) this.#clock.clearTimeout(this.#heartbeat);
    this.#heartbeat = undefined;
    for (const client of [...this.#clients]) {
      this.#remove(client, 'shutdown');
      client.end();
    }
  }

  #write(client: ServerResponse, text: string): void {
    if (!this.#clients.has(client)) return;
    // writableLength counts bytes the socket has not taken yet: the memory this client costs us.
    if (client.writableLength + Buffer.byteLength(text) > this.#bufferBytesMax) {
      this.#logger.warn({ bufferedBytes: client.writableLength }, 'dropping a slow dashboard client');
      this.#remove(client, 'slow');
      client.destroy();
      return;
    }
    client.write(text);
  }

  #remove(client: ServerResponse, reason: DropReason): void {
    if (!this.#clients.delete(client)) return;
    this.#dropEmitter.emit({ reason });
    if (this.#clients.size === 0 && this.#heartbeat !== undefined) {
      this.#clock.clearTimeout(this.#heartbeat);
      this.#heartbeat = undefined;
    }
  }

  #scheduleHeartbeat(): void {
    if (this.#heartbeat !== undefined || this.#closed) return;
    this.#heartbeat = this.#clock.setTimeout(() => {
      this.#heartbeat = undefined;
      for (const client of [...this.#clients]) this.#write(client, `: heartbeat ${this.#clock.nowMs()}\n\n`);
      if (this.#clients.size > 0) this.#scheduleHeartbeat();
    }, this.#heartbeatMs);
  }
}

function format(event: StatusEvent): string {
  // JSON.stringify never emits a raw newline, so the data fits on one `data:` line.
  return `event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new RangeError(`${name} must be a positive integer, was ${value}`);
  return value;
}
