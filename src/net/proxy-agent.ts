// A node:http Agent that opens sockets the way a ProxyRoute says, for clients that take an Agent
// rather than an undici dispatcher (the `ws` WebSocket of the fill stream). HTTP(S) proxies tunnel
// with CONNECT (https-proxy-agent), SOCKS5 proxies through the `socks` library (socks-proxy-agent),
// names resolved by the proxy as the REST pool's SOCKS connector does. Direct routes need no agent.
import type { Agent } from 'node:http';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { SocksProxyAgent } from 'socks-proxy-agent';
import type { ProxyRoute } from './proxy-route.js';

/**
 * The agent for `route`, or undefined when it is direct. `connectTimeoutMs` bounds the SOCKS handshake;
 * the caller bounds the whole opening (ws: handshakeTimeout).
 */
export function createRoutedAgent(route: ProxyRoute, connectTimeoutMs: number): Agent | undefined {
  if (route.kind === 'direct') return undefined;
  if (route.kind === 'socks5') {
    const url = new URL(route.url.href);
    url.protocol = 'socks5h:';
    return new SocksProxyAgent(url, { timeout: connectTimeoutMs });
  }
  return new HttpsProxyAgent(route.url);
}
