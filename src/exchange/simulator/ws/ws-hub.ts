// The simulator's WebSocket endpoint, `/connection/websocket` on the simulator's own HTTP server:
// accepts Centrifugo clients and publishes every trade and order change of an account on its
// private channels, as Nobitex does (reference 8).
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Clock } from '../../../core/clock.js';
import { EventEmitter } from '../../../core/events.js';
import type { ChaosController } from '../chaos.js';
import type { MarketState } from '../market-state.js';
import type { SimEvent } from '../matching-engine.js';
import { pushOrderJson, pushTradeJson } from './ws-payloads.js';
import { WsSession } from './ws-session.js';
import { type WsTokens, websocketAuthParamOf } from './ws-tokens.js';

export const WS_PATH = '/connection/websocket';
/** Open connections at once (Nobitex: 100 per IP). */
export const WS_CONNECTIONS_MAX = 100;
/** Largest client frame accepted, bytes. */
const FRAME_SIZE_BYTES_MAX = 64 * 1024;

/** One publication as the hub makes it, before chaos acts on it. */
export interface WsPublication {
  /** The account (API token) whose private channel it is on. */
  readonly account: string;
  readonly channel: string;
  readonly payload: Record<string, unknown>;
}

export interface WsHubOptions {
  readonly tokens: WsTokens;
  readonly chaos: ChaosController;
  readonly timers: Clock;
  /** The simulator's clock, for event times. */
  readonly clock: Clock;
  readonly pingIntervalSeconds: number;
  readonly markets: ReadonlyMap<string, MarketState>;
}

export class WsHub {
  readonly #o: WsHubOptions;
  readonly #server = new WebSocketServer({ noServer: true, maxPayload: FRAME_SIZE_BYTES_MAX });
  readonly #sessions = new Set<WsSession>();
  readonly #publications = new EventEmitter<WsPublication>();
  /**
   * Every publication, whether or not a socket listens: for in-process clients that apply the chaos
   * rules themselves on a fake clock (the deterministic chaos world).
   */
  readonly onPublication = this.#publications.addListener;

  constructor(options: WsHubOptions) {
    if (!Number.isInteger(options.pingIntervalSeconds) || options.pingIntervalSeconds < 1)
      throw new RangeError(
        `wsPingIntervalSeconds must be an integer >= 1, was ${options.pingIntervalSeconds}`,
      );
    this.#o = options;
  }

  /** Takes over WebSocket upgrades on the simulator's HTTP server. */
  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (request.url ?? '').split('?')[0];
      if (path !== WS_PATH || this.#sessions.size >= WS_CONNECTIONS_MAX) {
        socket.destroy();
        return;
      }
      this.#server.handleUpgrade(request, socket, head, (ws) => {
        const session = new WsSession({ socket: ws, ...this.#o });
        this.#sessions.add(session);
        ws.on('close', () => this.#sessions.delete(session));
      });
    });
  }

  /** Connections open now. */
  get connectionCount(): number {
    return this.#sessions.size;
  }

  publish(event: SimEvent): void {
    if (this.#sessions.size === 0 && this.#publications.size === 0) return;
    const param = websocketAuthParamOf(event.order.token);
    const priceStep = this.#o.markets.get(event.order.symbol)?.spec.priceStep;
    if (priceStep === undefined) return;
    const [channel, payload] =
      event.kind === 'trade'
        ? [`private:trades#${param}`, pushTradeJson(event.order, event.fill)]
        : [
            `private:orders#${param}`,
            pushOrderJson(event.order, event.fill, { priceStep, nowMs: this.#o.clock.nowMs() }),
          ];
    for (const session of this.#sessions)
      if (session.account === event.order.token) session.publish(channel, payload);
    this.#publications.emit({ account: event.order.token, channel, payload });
  }

  /** Closes every connection: clients see a drop. */
  dropAll(): void {
    for (const session of [...this.#sessions]) session.close();
  }

  close(): void {
    this.dropAll();
    this.#server.close();
  }
}
