// Goal (issue 15): an outbound request leaves through the proxy it is routed to (HTTP CONNECT or SOCKS5,
// with credentials), a proxy failure is a ProxyConnectError that never shows the password, and the
// environment's HTTPS_PROXY / NO_PROXY apply unless a setting overrides them.
// Method: real proxies and a recording peer on 127.0.0.1.
import { request } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isProxyConnectError } from '../../src/net/errors.js';
import { createRoutedDispatcher } from '../../src/net/proxy-dispatcher.js';
import { chooseProxy, describeProxy, isProxySetting } from '../../src/net/proxy-route.js';
import { HttpPeer } from '../monitoring/channels-support.js';
import { startHttpProxy, startSocksProxy, type TestProxy } from '../support/proxies.js';

const credentials = { user: 'keel', password: 'proxy-pass-never-shown' };

describe('routed dispatcher', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    vi.unstubAllEnvs();
  });

  async function through(proxy: TestProxy | undefined, peer: HttpPeer) {
    const route = chooseProxy({ setting: proxy?.url ?? 'direct', target: peer.url });
    const dispatcher = createRoutedDispatcher({
      route,
      poolOptions: { connections: 2 },
      connectTimeoutMs: 2_000,
    });
    closers.push(() => dispatcher.close());
    const response = await request(`${peer.url}/hello`, { dispatcher, method: 'GET' });
    return { status: response.statusCode, body: await response.body.text() };
  }

  it.each([
    ['HTTP', startHttpProxy],
    ['SOCKS5', startSocksProxy],
  ])('sends through an %s proxy with credentials, and the proxy saw it', async (_name, start) => {
    const peer = await HttpPeer.start();
    closers.push(() => peer.stop());
    const proxy = await start(credentials);
    closers.push(() => proxy.close());
    const answer = await through(proxy, peer);
    expect(answer.status).toBe(200);
    expect(peer.requests.map((seen) => seen.path)).toEqual(['/hello']);
    expect(proxy.visits).toEqual([{ target: new URL(peer.url).host, user: 'keel' }]);
  });

  it.each([
    ['HTTP', startHttpProxy],
    ['SOCKS5', startSocksProxy],
  ])('a %s proxy refusing the credentials is a ProxyConnectError without the password', async (_n, start) => {
    const peer = await HttpPeer.start();
    closers.push(() => peer.stop());
    const proxy = await start({ user: 'keel', password: 'another-password' });
    closers.push(() => proxy.close());
    const wrong = proxy.url.replace('another-password', credentials.password);
    const route = chooseProxy({ setting: wrong, target: peer.url });
    const dispatcher = createRoutedDispatcher({ route, poolOptions: {}, connectTimeoutMs: 2_000 });
    closers.push(() => dispatcher.close());
    const error = await request(peer.url, { dispatcher }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(isProxyConnectError(error)).toBe(true);
    expect(String((error as Error).message)).not.toContain(credentials.password);
    expect(proxy.refusals).toBe(1);
    expect(peer.requests).toEqual([]);
  });

  it('honours HTTPS_PROXY and NO_PROXY unless a setting overrides them; loopback stays direct', () => {
    vi.stubEnv('HTTPS_PROXY', 'socks5://u:p@10.0.0.1:1080');
    vi.stubEnv('NO_PROXY', 'internal.example');
    const fromEnv = chooseProxy({ setting: undefined, target: 'https://apiv2.nobitex.ir' });
    expect(fromEnv).toMatchObject({ kind: 'socks5', source: 'env' });
    expect(describeProxy(fromEnv)).toBe('socks5://10.0.0.1:1080');
    expect(chooseProxy({ setting: undefined, target: 'https://internal.example' }).kind).toBe('direct');
    expect(chooseProxy({ setting: undefined, target: 'http://127.0.0.1:8090' }).kind).toBe('direct');
    expect(chooseProxy({ setting: 'direct', target: 'https://apiv2.nobitex.ir' }).kind).toBe('direct');
    expect(chooseProxy({ setting: 'http://127.0.0.1:3128', target: 'https://a.b' })).toMatchObject({
      kind: 'http',
      source: 'setting',
    });
  });

  it('accepts direct and http, https, socks5 and socks5h URLs only', () => {
    for (const good of ['direct', 'http://h:3128', 'https://u:p@h', 'socks5://h:1080', 'socks5h://h'])
      expect(isProxySetting(good), good).toBe(true);
    for (const bad of ['ftp://h', 'h:1080', '', 'none']) expect(isProxySetting(bad), bad).toBe(false);
  });
});
