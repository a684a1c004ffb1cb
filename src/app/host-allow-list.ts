// The DNS-rebinding guard: a page on evil.example whose name is made to resolve to 127.0.0.1 reaches
// Keel with `Host: evil.example`. Keel answers only requests addressed to one of its own names:
// loopback names, its listen addresses (every local interface address when it listens on all), and
// the configured public host names. It runs before any route, on every listener.
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

export interface HostAllowListOptions {
  /** The addresses Keel listens on (webhook and operator listeners). */
  readonly listenHosts: readonly string[];
  /** Names Keel is reached under through proxies, e.g. `keel.example.com`. */
  readonly publicHosts: readonly string[];
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
const WILDCARDS = new Set(['0.0.0.0', '::', '']);
/** Host headers whose answer is remembered at most (then all are forgotten and learnt again). */
const ALLOWED_HEADERS_MAX = 64;

export class HostAllowList {
  readonly #names: ReadonlySet<string>;
  readonly #allowedHeaders = new Set<string>();

  constructor(options: HostAllowListOptions) {
    const names = [...LOOPBACK_NAMES, ...options.publicHosts];
    for (const host of options.listenHosts)
      names.push(...(WILDCARDS.has(host) ? interfaceAddresses() : [host]));
    this.#names = new Set(names.map((name) => bare(name)));
  }

  /** The hostname part of a Host header, if it is one of Keel's names. */
  allows(hostHeader: string | undefined): boolean {
    if (hostHeader === undefined) return false;
    // Every request repeats one of a few headers: remember those that passed, not the rest.
    if (this.#allowedHeaders.has(hostHeader)) return true;
    if (!this.#check(hostHeader)) return false;
    if (this.#allowedHeaders.size >= ALLOWED_HEADERS_MAX) this.#allowedHeaders.clear();
    this.#allowedHeaders.add(hostHeader);
    return true;
  }

  #check(hostHeader: string): boolean {
    const hostname = hostnameOf(hostHeader);
    if (hostname === undefined) return false;
    if (this.#names.has(hostname)) return true;
    // 127.0.0.0/8 is loopback however it is written.
    return isIP(hostname) === 4 && hostname.startsWith('127.');
  }

  /**
   * A fastify onRequest hook: 421 for a foreign Host before any route runs. Callback style, not
   * async: it runs on every request, and an async hook costs a promise and a microtask each.
   */
  readonly hook = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    if (this.allows(request.headers.host)) {
      done();
      return;
    }
    reply
      .code(421)
      .header('connection', 'close')
      .send({ error: 'unknown host', reason: 'add the name to server.publicHosts (KEEL_PUBLIC_HOSTS)' });
  };
}

function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((entries) =>
    (entries ?? []).map((entry) => entry.address),
  );
}

const bare = (host: string): string =>
  host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');

/** `example.com:8080` → `example.com`; `[::1]:8080` → `::1`; undefined when malformed. */
function hostnameOf(header: string): string | undefined {
  const trimmed = header.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(trimmed);
  if (bracketed !== null) return bracketed[1];
  const plain = /^([a-z0-9.-]+)(?::\d{1,5})?$/.exec(trimmed);
  return plain === null ? undefined : bare(plain[1] ?? '');
}
