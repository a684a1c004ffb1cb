// Fills pushed over Nobitex's WebSocket, when `nobitex.websocket.enabled`: the stream (token from
// /auth/ws/token/, channel suffix from /users/profile) feeds verification, reports in the health
// registry (degraded while down: polling carries on) and in /api/status. In live mode the socket
// leaves the way REST does: through nobitex.proxy, else HTTPS_PROXY / NO_PROXY.
import type { KeelConfig } from '../config/index.js';
import type { Clock } from '../core/clock.js';
import { FillStream, type FillStreamStatus } from '../exchange/fill-stream/fill-stream.js';
import { WS_PATH } from '../exchange/simulator/index.js';
import type { Logger } from '../logging/logger.js';
import type { HealthRegistry } from '../monitoring/health-registry.js';
import { createRoutedAgent } from '../net/proxy-agent.js';
import { chooseProxy, DIRECT, describeProxy, type ProxyRoute } from '../net/proxy-route.js';
import { proxySettingFor } from './exchange-settings.js';
import type { ExchangeStack } from './exchange-stack.js';

export interface FillStreamWiring {
  readonly stream: FillStream;
  /** Verification options that depend on the stream. */
  readonly pushedPollIntervalMs: number;
  status(): FillStreamStatus;
  close(): Promise<void>;
}

/** The started stream, or undefined when the WebSocket is not enabled. */
export function startFillStream(options: {
  readonly config: KeelConfig;
  readonly exchange: Pick<ExchangeStack, 'adapter' | 'simulator' | 'pushLink'>;
  readonly health: HealthRegistry;
  readonly clock: Clock;
  readonly logger: Logger;
}): FillStreamWiring | undefined {
  const { config, exchange } = options;
  const settings = fillStreamSettings(config, exchange.simulator?.url);
  if (settings === undefined) return undefined;
  const { pollIntervalMs, route, ...streamSettings } = settings;
  const agent = createRoutedAgent(route, config.nobitex.connectTimeoutMs);
  if (route.kind !== 'direct')
    options.logger.info({ proxy: describeProxy(route) }, 'the fill stream goes through a proxy');
  const stream = new FillStream({
    ...streamSettings,
    ...(agent === undefined ? {} : { agent }),
    ...(exchange.pushLink === undefined ? {} : { link: exchange.pushLink }),
    fetchToken: () => exchange.adapter.getWsToken(),
    fetchAuthParam: async () => {
      const profile = await exchange.adapter.getProfile();
      if (profile.websocketAuthParam === null) throw new Error('the profile has no websocketAuthParam');
      return profile.websocketAuthParam;
    },
    clock: options.clock,
    logger: options.logger.child({ component: 'fill-stream' }),
  });
  options.health.register({
    name: 'fill-stream',
    component: 'exchange',
    check: () =>
      stream.isUp()
        ? { status: 'healthy' }
        : { status: 'degraded', reason: `WebSocket ${stream.status().state}: fills are polled` },
  });
  stream.start();
  return {
    stream,
    pushedPollIntervalMs: pollIntervalMs,
    status: () => stream.status(),
    close: async () => stream.stop(),
  };
}

/** The stream's settings from `nobitex.websocket`, or undefined when it is off. */
export function fillStreamSettings(config: KeelConfig, simulatorUrl: string | undefined) {
  const settings = config.nobitex.websocket;
  if (!settings.enabled) return undefined;
  // Paper mode: the built-in simulator serves the same protocol on its own port.
  const url = simulatorUrl === undefined ? settings.url : `${simulatorUrl.replace(/^http/, 'ws')}${WS_PATH}`;
  return {
    url,
    route: socketRoute(config, url),
    reconnectDelayMinMs: settings.reconnectDelayMinMs,
    reconnectDelayMaxMs: settings.reconnectDelayMaxMs,
    pingDelayMaxMs: settings.pingDelayMaxMs,
    timeoutMs: settings.timeoutMs,
    pollIntervalMs: settings.pollIntervalMs,
  };
}

/**
 * The socket's way out, as REST's (exchange-settings.ts): in live mode nobitex.proxy (one for all; per
 * base URL, the preferred base URL's), else the environment's proxy for the https form of the URL;
 * the paper exchange on loopback is reached direct.
 */
function socketRoute(config: KeelConfig, url: string): ProxyRoute {
  if (config.mode !== 'live') return chooseProxy({ setting: DIRECT, target: url });
  const setting = proxySettingFor(config.nobitex.proxy, config.nobitex.baseUrls[0] ?? '');
  return chooseProxy({ setting, target: url.replace(/^ws/, 'http') });
}
