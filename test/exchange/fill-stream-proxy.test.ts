// Goal (issue 16): behind nobitex.proxy the fill stream's WebSocket leaves through the same proxy as
// REST (an HTTP CONNECT tunnel or SOCKS5, with the proxy's credentials), never direct. Method: a
// simulator and a recording proxy on 127.0.0.1, Keel's wiring in live mode with nobitex.proxy set;
// the adapter that fetches the token goes direct, so every visit the proxy records is the socket's.
import { afterEach, describe, expect, it } from 'vitest';
import { startFillStream } from '../../src/app/fill-stream-wiring.js';
import { configSchema } from '../../src/config/schema.js';
import { systemClock } from '../../src/core/clock.js';
import { createRng } from '../../src/core/random.js';
import { createEnhancedAdapter } from '../../src/exchange/enhanced-nobitex-adapter/index.js';
import { createSimulator, SIMULATOR_DEFAULT_TOKEN, WS_PATH } from '../../src/exchange/simulator/index.js';
import { silentLogger } from '../../src/logging/logger.js';
import { HealthRegistry } from '../../src/monitoring/health-registry.js';
import { startHttpProxy, startSocksProxy } from '../support/proxies.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const credentials = { user: 'trader', password: 'proxy-pass-5c1e' };

describe('the fill stream behind nobitex.proxy', () => {
  it.each([
    ['an HTTP CONNECT proxy', startHttpProxy],
    ['a SOCKS5 proxy', startSocksProxy],
  ] as const)('subscribes through %s, with its credentials', async (_name, start) => {
    const simulator = createSimulator({ seed: 3, priceTickMs: 0 });
    cleanups.push(() => simulator.close());
    const baseUrl = await simulator.listen({ host: '127.0.0.1', port: 0 });
    const proxy = await start(credentials);
    cleanups.push(() => proxy.close());
    const config = configSchema.parse({
      mode: 'live',
      nobitex: {
        baseUrls: [baseUrl],
        token: SIMULATOR_DEFAULT_TOKEN,
        proxy: proxy.url,
        websocket: { enabled: true, url: `${baseUrl.replace(/^http/, 'ws')}${WS_PATH}` },
      },
    });
    const { adapter } = createEnhancedAdapter({
      baseUrls: [baseUrl],
      auth: { kind: 'token', token: SIMULATOR_DEFAULT_TOKEN },
      userAgent: 'TraderBot/keel-test',
      clock: systemClock,
      rng: createRng(3),
    });
    cleanups.push(() => adapter.close());
    const wiring = startFillStream({
      config,
      exchange: { adapter, simulator: undefined },
      health: new HealthRegistry(),
      clock: systemClock,
      logger: silentLogger,
    });
    if (wiring === undefined) throw new Error('the stream is enabled');
    cleanups.push(() => wiring.close());
    for (let i = 0; i < 250 && !wiring.stream.isUp(); i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(wiring.stream.isUp()).toBe(true);
    expect(proxy.visits).toEqual([{ target: new URL(baseUrl).host, user: 'trader' }]);
    expect(proxy.refusals).toBe(0);
  });
});
