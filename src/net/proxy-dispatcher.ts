// An undici dispatcher that leaves through the route chosen for it. HTTP(S) proxies go through undici's
// ProxyAgent (a CONNECT tunnel), SOCKS5 proxies through fetch-socks (the `socks` library) as the
// connector. Either way the pool per origin is built by the caller's factory, so connection limits,
// keep-alive and stats stay as they are without a proxy; only how a socket is opened changes.
import { socksConnector } from 'fetch-socks';
import { Agent, type buildConnector, type Dispatcher, Pool, ProxyAgent } from 'undici';
import { ProxyConnectError } from './errors.js';
import { describeProxy, type ProxyRoute, proxySecrets } from './proxy-route.js';

export type OriginFactory = (origin: string, options: Pool.Options) => Dispatcher;

export interface ProxiedDispatcherOptions {
  readonly route: ProxyRoute;
  /** Options of the pool per origin (connections, timeouts, keep-alive). */
  readonly poolOptions: Pool.Options;
  /** Opening a socket, to the proxy and through it to the peer, takes at most this long, ms. */
  readonly connectTimeoutMs: number;
  /** Builds the pool for one origin; default `new Pool(origin, options)`. */
  readonly factory?: OriginFactory;
}

const defaultFactory: OriginFactory = (origin, options) => new Pool(origin, options);

/** A dispatcher for any origin that takes `route`; direct routes get a plain Agent. */
export function createRoutedDispatcher(options: ProxiedDispatcherOptions): Dispatcher {
  const { route, poolOptions, connectTimeoutMs } = options;
  const factory = options.factory ?? defaultFactory;
  if (route.kind === 'direct') return new Agent({ ...poolOptions, factory });
  const tag = tagFailures(route);
  if (route.kind === 'socks5') {
    const connect = tag(socksConnector(socksProxyOf(route.url), { timeout: connectTimeoutMs }));
    return new Agent({
      ...poolOptions,
      factory: (origin, opts) => factory(String(origin), { ...opts, connect }),
    });
  }
  return new ProxyAgent({
    ...poolOptions,
    uri: route.url.href,
    proxyTls: { timeout: connectTimeoutMs },
    requestTls: { timeout: connectTimeoutMs },
    // ProxyAgent hands the tunnelling connector to the factory; tag its failures as the proxy's.
    factory: (origin, opts) => factory(String(origin), { ...opts, connect: tag(connectorOf(opts)) }),
  });
}

function connectorOf(options: object): buildConnector.connector {
  const connect = (options as { connect?: unknown }).connect;
  if (typeof connect !== 'function') throw new TypeError('ProxyAgent gave the pool no connector');
  return connect as buildConnector.connector;
}

/** Failures to open a socket through the proxy become ProxyConnectError, scrubbed of credentials. */
function tagFailures(route: ProxyRoute) {
  const secrets = proxySecrets(route);
  const name = describeProxy(route);
  return (connect: buildConnector.connector): buildConnector.connector =>
    (options, callback) =>
      connect(options, (error, socket) => {
        if (error === null) return callback(null, socket as NonNullable<typeof socket>);
        const detail = scrub(error instanceof Error ? error.message : String(error), secrets);
        callback(
          new ProxyConnectError(`through proxy ${name} to ${options.hostname}:${options.port}: ${detail}`, {
            cause: error,
          }),
          null,
        );
      });
}

function socksProxyOf(url: URL) {
  return {
    host: url.hostname,
    port: Number(url.port || 1080),
    type: 5 as const,
    ...(url.username === '' ? {} : { userId: decodeURIComponent(url.username) }),
    ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
  };
}

function scrub(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) if (secret.length >= 3) result = result.split(secret).join('[redacted]');
  return result;
}
