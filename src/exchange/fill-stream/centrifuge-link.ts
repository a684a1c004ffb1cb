// The fill stream's link over the network: Nobitex's Centrifugo through the maintained client
// `centrifuge` on `ws`, reconnecting with its own back-off, rebuilt when the server's pings stop; the
// socket opens through `agent` (nobitex.proxy) when one is given. Up only while every channel is
// subscribed.
import type { Agent } from 'node:http';
import { Centrifuge, type PublicationContext, type Subscription } from 'centrifuge';
import WebSocket from 'ws';
import type { OpenPushLink, PushLinkEvents } from './push-link.js';

export interface CentrifugeLinkOptions {
  readonly url: string;
  readonly reconnectDelayMinMs: number;
  readonly reconnectDelayMaxMs: number;
  readonly pingDelayMaxMs: number;
  /** Bound on opening the socket and on every command reply, ms. */
  readonly timeoutMs: number;
  readonly agent?: Agent;
}

export function centrifugeLink(options: CentrifugeLinkOptions): OpenPushLink {
  return ({ fetchToken, channels, events }) => {
    const client = new Centrifuge(options.url, {
      websocket: websocketClass(options.agent, options.timeoutMs),
      getToken: fetchToken,
      name: 'keel',
      minReconnectDelay: options.reconnectDelayMinMs,
      maxReconnectDelay: options.reconnectDelayMaxMs,
      maxServerPingDelay: options.pingDelayMaxMs,
      timeout: options.timeoutMs,
      debug: false,
    });
    client.on('error', (ctx) => events.failure(`websocket ${ctx.type}`, ctx.error));
    client.on('disconnected', (ctx) => events.failure('websocket closed', ctx));
    client.on('connecting', () => events.down());
    const subscriptions: Subscription[] = [];
    const checkUp = () => {
      if (subscriptions.length === channels.length && subscriptions.every((s) => s.state === 'subscribed'))
        events.up();
    };
    for (const channel of channels) subscriptions.push(subscribe(client, channel, events, checkUp));
    client.connect();
    return { close: () => client.disconnect() };
  };
}

function subscribe(
  client: Centrifuge,
  channel: string,
  events: PushLinkEvents,
  checkUp: () => void,
): Subscription {
  const subscription = client.newSubscription(channel);
  subscription.on('publication', (ctx: PublicationContext) => events.publication(channel, ctx.data));
  subscription.on('subscribed', checkUp);
  subscription.on('subscribing', () => events.down());
  subscription.on('unsubscribed', (ctx) => {
    events.failure('channel refused', ctx);
    events.down();
  });
  subscription.on('error', (ctx) => events.failure('channel error', ctx.error));
  subscription.subscribe();
  return subscription;
}

/** `ws` as Centrifuge builds it (`new WebSocket(url, protocol)`), opening through `agent` within `timeoutMs`. */
function websocketClass(
  agent: Agent | undefined,
  timeoutMs: number,
): new (
  address: string,
  protocols?: string | string[],
) => WebSocket {
  return class BoundedWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { handshakeTimeout: timeoutMs, ...(agent === undefined ? {} : { agent }) });
    }
  };
}
