// Which way an outbound request leaves: straight to the peer, or through an HTTP(S) or SOCKS5 proxy.
// A setting wins; without one, the standard HTTPS_PROXY / HTTP_PROXY / ALL_PROXY and NO_PROXY variables
// decide, except for loopback peers (the paper exchange, local test servers), which are never proxied
// by the environment.
import { getProxyForUrl } from 'proxy-from-env';

export type ProxyProtocol = 'http' | 'socks5';

export type ProxyRoute =
  | { readonly kind: 'direct' }
  | {
      readonly kind: ProxyProtocol;
      /** The proxy's URL, credentials included: never log it, use describeProxy. */
      readonly url: URL;
      /** Where the proxy came from: the config setting or the environment. */
      readonly source: 'setting' | 'env';
    };

/** The setting value that means "no proxy, even if the environment names one". */
export const DIRECT = 'direct';

const PROTOCOLS: Readonly<Record<string, ProxyProtocol>> = {
  'http:': 'http',
  'https:': 'http',
  'socks:': 'socks5',
  'socks5:': 'socks5',
  'socks5h:': 'socks5',
};

export class InvalidProxyError extends RangeError {}

/** True when `value` is `direct` or a proxy URL Keel can use. */
export function isProxySetting(value: string): boolean {
  if (value === DIRECT) return true;
  try {
    parseProxyUrl(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * The route to `target` (a URL or origin). `setting` is the configured proxy (`direct` or a URL);
 * undefined defers to the environment.
 */
export function chooseProxy(options: {
  readonly setting: string | undefined;
  readonly target: string;
}): ProxyRoute {
  if (options.setting === DIRECT) return { kind: 'direct' };
  if (options.setting !== undefined) return routeOf(options.setting, 'setting');
  if (isLoopbackUrl(options.target)) return { kind: 'direct' };
  const fromEnv = getProxyForUrl(options.target);
  return fromEnv === '' ? { kind: 'direct' } : routeOf(fromEnv, 'env');
}

/** The proxy without credentials, for logs and errors: `socks5://127.0.0.1:1080`. */
export function describeProxy(route: ProxyRoute): string {
  return route.kind === 'direct' ? 'direct' : `${route.url.protocol}//${route.url.host}`;
}

/** The proxy's credentials and whole URL, to scrub from error messages. */
export function proxySecrets(route: ProxyRoute): string[] {
  if (route.kind === 'direct') return [];
  const password = decodeURIComponent(route.url.password);
  return [route.url.href, password].filter((value) => value.length > 0);
}

function routeOf(value: string, source: 'setting' | 'env'): ProxyRoute {
  const url = parseProxyUrl(value);
  const kind = PROTOCOLS[url.protocol];
  if (kind === undefined) throw new InvalidProxyError(`unsupported proxy protocol ${url.protocol}`);
  return { kind, url, source };
}

function parseProxyUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // The value may hold a password: never echo it.
    throw new InvalidProxyError('proxy must be a URL such as socks5://host:1080 or http://host:3128');
  }
  if (PROTOCOLS[url.protocol] === undefined)
    throw new InvalidProxyError(
      `proxy protocol must be http, https, socks5 or socks5h, was ${url.protocol.replace(/:$/, '')}`,
    );
  if (url.hostname === '') throw new InvalidProxyError('proxy URL has no host');
  return url;
}

function isLoopbackUrl(target: string): boolean {
  try {
    const host = new URL(target).hostname;
    return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
  } catch {
    return false;
  }
}
