// Nobitex's private order and trade channels over its WebSocket (Centrifugo, reference 8), through
// the maintained client `centrifuge` on `ws` (centrifuge-link.ts). The connection token comes from
// `/auth/ws/token/` and is fetched again whenever the client needs a new one (expiry, refresh); it is
// a secret and is never logged. The link counts as up only while both channels are subscribed.
import type { Agent } from 'node:http';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { EventEmitter } from '../../core/events.js';
import type { Logger } from '../../logging/logger.js';
import type { ExchangeTrade } from '../transaction-verification/gateway.js';
import type { PushedOrder, PushFeed } from '../transaction-verification/push-feed.js';
import { centrifugeLink } from './centrifuge-link.js';
import type { OpenPushLink, PushLink } from './push-link.js';
import { parsePushedOrder, parsePushedTrade } from './pushed-events.js';

export interface FillStreamOptions {
  /** `wss://ws.nobitex.ir/connection/websocket`, or the simulator's `ws://127.0.0.1:…/connection/websocket`. */
  readonly url: string;
  /** A fresh connection token (`GET /auth/ws/token/`). */
  readonly fetchToken: () => Promise<string>;
  /** The account's `websocketAuthParam` (`GET /users/profile`). */
  readonly fetchAuthParam: () => Promise<string>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Shortest and longest wait between reconnection attempts, ms. */
  readonly reconnectDelayMinMs: number;
  readonly reconnectDelayMaxMs: number;
  /** Silence past the server's ping period after which the link counts as stalled and is rebuilt, ms. */
  readonly pingDelayMaxMs: number;
  /** Bound on the connection attempt and every command reply, ms. */
  readonly timeoutMs: number;
  /** How the socket leaves: through `nobitex.proxy` as REST does; direct when undefined. */
  readonly agent?: Agent;
  /** The connection under the stream; default Centrifuge on `ws` with the options above. */
  readonly link?: OpenPushLink;
}

export type FillStreamState = 'stopped' | 'starting' | 'down' | 'up';

export interface FillStreamStatus {
  readonly state: FillStreamState;
  /** When the link last came up, epoch ms. */
  readonly upSinceMs: number | null;
  /** Times the link came up again after being down. */
  readonly reconnectCount: number;
  readonly tradesReceived: number;
  readonly ordersReceived: number;
  /** Publications that could not be read. */
  readonly payloadErrorCount: number;
  readonly lastError: string | null;
}

export class FillStream implements PushFeed {
  readonly #o: FillStreamOptions;
  readonly #tradeEmitter = new EventEmitter<ExchangeTrade>();
  readonly #orderEmitter = new EventEmitter<PushedOrder>();
  readonly #linkEmitter = new EventEmitter<{ readonly up: boolean }>();
  readonly onTrade = this.#tradeEmitter.addListener;
  readonly onOrder = this.#orderEmitter.addListener;
  readonly onLink = this.#linkEmitter.addListener;
  #link: PushLink | undefined;
  #retryTimer: TimerHandle | undefined;
  #state: FillStreamState = 'stopped';
  #upSinceMs: number | null = null;
  #everUp = false;
  #counts = { reconnectCount: 0, tradesReceived: 0, ordersReceived: 0, payloadErrorCount: 0 };
  #lastError: string | null = null;

  constructor(options: FillStreamOptions) {
    for (const key of ['reconnectDelayMinMs', 'reconnectDelayMaxMs', 'pingDelayMaxMs', 'timeoutMs'] as const)
      if (!Number.isInteger(options[key]) || options[key] < 1)
        throw new RangeError(`${key} must be a positive integer, was ${options[key]}`);
    if (options.reconnectDelayMinMs > options.reconnectDelayMaxMs)
      throw new RangeError(
        `reconnectDelayMinMs ${options.reconnectDelayMinMs} exceeds reconnectDelayMaxMs ${options.reconnectDelayMaxMs}`,
      );
    this.#o = options;
  }

  isUp(): boolean {
    return this.#state === 'up';
  }

  status(): FillStreamStatus {
    return { state: this.#state, upSinceMs: this.#upSinceMs, ...this.#counts, lastError: this.#lastError };
  }

  /** Connects in the background; until the link is up, verification polls. */
  start(): void {
    if (this.#state !== 'stopped') return;
    this.#state = 'starting';
    void this.#open();
  }

  stop(): void {
    if (this.#retryTimer !== undefined) this.#o.clock.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    const link = this.#link;
    this.#link = undefined;
    link?.close();
    this.#setUp(false);
    this.#state = 'stopped';
  }

  async #open(): Promise<void> {
    let authParam: string;
    try {
      authParam = await this.#o.fetchAuthParam();
    } catch (error) {
      this.#fail('profile not read; retrying', error);
      if (this.#state !== 'stopped')
        this.#retryTimer = this.#o.clock.setTimeout(() => void this.#open(), this.#o.reconnectDelayMaxMs);
      return;
    }
    if (this.#state === 'stopped') return;
    this.#state = 'down';
    const orders = `private:orders#${authParam}`;
    const trades = `private:trades#${authParam}`;
    const open = this.#o.link ?? centrifugeLink(this.#o);
    this.#link = open({
      fetchToken: () => this.#o.fetchToken(),
      channels: [orders, trades],
      events: {
        publication: (channel, data) => {
          if (channel === orders) this.#onOrderData(data);
          else if (channel === trades) this.#onTradeData(data);
        },
        up: () => this.#setUp(true),
        down: () => this.#setUp(false),
        failure: (what, error) => this.#fail(what, error),
      },
    });
  }

  #onTradeData(data: unknown): void {
    try {
      const trade = parsePushedTrade(data);
      this.#counts.tradesReceived++;
      this.#tradeEmitter.emit(trade);
    } catch (error) {
      this.#counts.payloadErrorCount++;
      this.#fail('pushed trade not readable', error);
    }
  }

  #onOrderData(data: unknown): void {
    try {
      const order = parsePushedOrder(data);
      this.#counts.ordersReceived++;
      this.#orderEmitter.emit(order);
    } catch (error) {
      this.#counts.payloadErrorCount++;
      this.#fail('pushed order not readable', error);
    }
  }

  #setUp(up: boolean): void {
    if (up === this.isUp()) return;
    if (this.#state === 'stopped' && up) return;
    if (up) {
      if (this.#everUp) this.#counts.reconnectCount++;
      this.#everUp = true;
      this.#upSinceMs = this.#o.clock.nowMs();
      this.#state = 'up';
      this.#o.logger.info({ reconnectCount: this.#counts.reconnectCount }, 'fill stream up');
    } else {
      if (this.#state === 'up') this.#state = 'down';
      this.#upSinceMs = null;
      this.#o.logger.warn('fill stream down: polling');
    }
    this.#linkEmitter.emit({ up });
  }

  /** Records and logs a failure by its code and message only: a token must never reach a log. */
  #fail(what: string, error: unknown): void {
    const detail = describe(error);
    this.#lastError = `${what}: ${detail}`;
    this.#o.logger.warn({ reason: detail }, what);
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message.slice(0, 200);
  if (typeof error === 'object' && error !== null) {
    const { code, message, reason } = error as { code?: unknown; message?: unknown; reason?: unknown };
    return `${String(code ?? '')} ${String(message ?? reason ?? '')}`.trim().slice(0, 200);
  }
  return String(error).slice(0, 200);
}
