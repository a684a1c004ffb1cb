// Who may operate Keel is decided by who connects, not by the listen address. A request is local only
// when it reaches a loopback listener from a loopback peer with no sign of a proxy (no forwarding
// header, and not the listener that trusted proxies front); local requests need no credentials (the
// Host and cross-site checks still apply). Every other request needs a session cookie, a bearer token or
// basic auth, and an address that keeps failing is answered 429 for a while.
import { isIP } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Clock, systemClock } from '../../core/clock.js';
import { EventEmitter } from '../../core/events.js';
import { authenticate, deriveSessionKey } from './credentials.js';
import { readSession, SESSION_COOKIE, sessionCookie } from './session-cookie.js';

/** Anything that hands out its value only on request, like config's `Secret`. */
export interface SecretLike {
  reveal(): string;
}

export interface AccessControlOptions {
  /** The address the operator surface listens on, e.g. `127.0.0.1`, `::1`, `localhost`, `0.0.0.0`. */
  readonly host: string;
  /** The listener is the webhook's, fronted by trusted proxies: every request on it is remote. Default false. */
  readonly proxied?: boolean;
  /** Accepted as `Authorization: Bearer <token>`. */
  readonly token?: SecretLike;
  /** Accepted as `Authorization: Basic …`. */
  readonly basicAuth?: { readonly user: string; readonly password: string | SecretLike };
  /** The client's address for throttling (the peer, or what trusted proxies say). Default: the peer. */
  readonly clientAddress?: (request: FastifyRequest) => string;
  /** A login lasts this long, ms. Default 43 200 000 (12 h). */
  readonly sessionTtlMs?: number;
  /** Failed logins from one address per window before it gets 429. Default 10. */
  readonly authFailuresMax?: number;
  /** The window of authFailuresMax, ms. Default 900 000 (15 min). */
  readonly authFailureWindowMs?: number;
  readonly clock?: Clock;
}

/** `createRateLimit()` of @fastify/rate-limit: `increment: false` only peeks. */
export type FailureLimiter = (
  request: FastifyRequest,
  options?: { readonly increment?: boolean },
) => Promise<{ readonly isAllowed: boolean; readonly remaining?: number; readonly ttlInSeconds?: number }>;

export interface AuthFailure {
  readonly clientAddress: string;
  /** This failure used up the address's allowance: it gets 429 until the window ends. */
  readonly throttled: boolean;
}

export type AccessGuard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export const ACCESS_DEFAULTS = Object.freeze({
  sessionTtlMs: 43_200_000,
  authFailuresMax: 10,
  authFailureWindowMs: 900_000,
});

/** Headers a proxy adds; any of them makes a request remote, whatever its peer. */
const FORWARDING_HEADERS = [
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-real-ip',
  'via',
];
const REALM = 'Basic realm="keel", charset="UTF-8"';

export function isLoopbackHost(host: string): boolean {
  const bare = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (bare === 'localhost') return true;
  if (bare === '::1') return true;
  const v4 = bare.startsWith('::ffff:') ? bare.slice('::ffff:'.length) : bare;
  return isIP(v4) === 4 && v4.split('.')[0] === '127';
}

export class AccessControl {
  readonly settings: Readonly<Required<Pick<AccessControlOptions, keyof typeof ACCESS_DEFAULTS>>>;
  /** Signs session cookies; derived from the credentials, so changing them ends every session. */
  readonly sessionKey: string;
  readonly #options: AccessControlOptions;
  readonly #clock: Clock;
  readonly #loopbackListener: boolean;
  readonly #principals = new WeakMap<FastifyRequest, { name: string; viaHeader: boolean }>();
  readonly #failureEmitter = new EventEmitter<AuthFailure>();
  #limiter: FailureLimiter | undefined;

  /** Credentials were presented and were wrong. */
  readonly onAuthFailure = this.#failureEmitter.addListener;

  constructor(options: AccessControlOptions) {
    if (typeof options.host !== 'string' || options.host.length === 0)
      throw new RangeError(`host must be a non-empty string, was ${String(options.host)}`);
    this.#loopbackListener = isLoopbackHost(options.host);
    if (!this.#loopbackListener && options.token === undefined && options.basicAuth === undefined)
      throw new RangeError(`dashboard bound to ${options.host} needs a token or basicAuth`);
    if (options.token !== undefined && options.token.reveal().length === 0)
      throw new RangeError('token must not be empty');
    this.settings = {
      sessionTtlMs: checkPositive('sessionTtlMs', options.sessionTtlMs ?? ACCESS_DEFAULTS.sessionTtlMs),
      authFailuresMax: checkPositive(
        'authFailuresMax',
        options.authFailuresMax ?? ACCESS_DEFAULTS.authFailuresMax,
      ),
      authFailureWindowMs: checkPositive(
        'authFailureWindowMs',
        options.authFailureWindowMs ?? ACCESS_DEFAULTS.authFailureWindowMs,
      ),
    };
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.sessionKey = deriveSessionKey(options);
  }

  /** Set once by operatorAccessPlugin, which owns the rate-limit plugin. */
  bindLimiter(limiter: FailureLimiter): void {
    if (this.#limiter !== undefined) throw new Error('the failure limiter is already bound');
    this.#limiter = limiter;
  }

  clientAddress(request: FastifyRequest): string {
    return this.#options.clientAddress?.(request) ?? request.socket.remoteAddress ?? 'unknown';
  }

  /** From this machine, straight to a loopback listener, through no proxy. */
  isLocal(request: FastifyRequest): boolean {
    if (!this.#loopbackListener || this.#options.proxied === true) return false;
    const peer = request.socket.remoteAddress;
    if (peer === undefined || !isLoopbackHost(peer)) return false;
    return FORWARDING_HEADERS.every((name) => request.headers[name] === undefined);
  }

  /** A fastify onRequest hook: sets the principal, or answers 401 / 429 itself. */
  readonly guard: AccessGuard = async (request, reply) => {
    if (this.isLocal(request)) {
      this.#principals.set(request, { name: 'local', viaHeader: false });
      return;
    }
    const limiter = this.#limiter;
    if (limiter === undefined)
      throw new Error('operatorAccessPlugin must be registered before the guard runs');
    const standing = await limiter(request, { increment: false });
    if (!standing.isAllowed && standing.remaining === 0) {
      await tooMany(reply, standing.ttlInSeconds);
      return;
    }
    const fromCookie = readSession(request, this.#clock.nowMs());
    if (fromCookie !== undefined) {
      this.#principals.set(request, { name: fromCookie, viaHeader: false });
      return;
    }
    const fromHeader = authenticate(request, this.#options);
    if (fromHeader !== undefined) {
      this.#principals.set(request, { name: fromHeader, viaHeader: true });
      return;
    }
    if (request.headers.authorization !== undefined) {
      const after = await limiter(request);
      this.#failureEmitter.emit({
        clientAddress: this.clientAddress(request),
        throttled: after.remaining === 0,
      });
    }
    // The page itself answers with a login form rather than a bare 401.
    if (isLoginPage(request)) return;
    await reply
      .code(401)
      .header('www-authenticate', this.#options.basicAuth !== undefined ? REALM : 'Bearer realm="keel"')
      .header('cache-control', 'no-store')
      .send({ error: 'unauthorized' });
  };

  /** Who the request authenticated as: `local`, `token`, the basic user; undefined before the guard. */
  principal(request: FastifyRequest): string | undefined {
    return this.#principals.get(request)?.name;
  }

  /** After a login with a token or basic auth: an HttpOnly, SameSite=Strict session cookie. */
  startSession(request: FastifyRequest, reply: FastifyReply): boolean {
    const principal = this.#principals.get(request);
    if (principal === undefined || !principal.viaHeader) return false;
    const { value, options } = sessionCookie(request, {
      principal: principal.name,
      expiresAtMs: this.#clock.nowMs() + this.settings.sessionTtlMs,
      ttlMs: this.settings.sessionTtlMs,
    });
    reply.setCookie(SESSION_COOKIE, value, options);
    return true;
  }

  endSession(reply: FastifyReply): void {
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  /** What the login page offers. */
  get basicAuthConfigured(): boolean {
    return this.#options.basicAuth !== undefined;
  }
}

export function createAccessControl(options: AccessControlOptions): AccessControl {
  return new AccessControl(options);
}

/** Routes whose handler shows a login form to a visitor without credentials. */
export const LOGIN_PAGE_CONFIG = Object.freeze({ loginPage: true });

function isLoginPage(request: FastifyRequest): boolean {
  const config = request.routeOptions.config as { loginPage?: unknown } | undefined;
  return request.method === 'GET' && config?.loginPage === true;
}

async function tooMany(reply: FastifyReply, retryAfterSeconds: number | undefined): Promise<void> {
  await reply
    .code(429)
    .header('retry-after', String(Math.max(1, retryAfterSeconds ?? 60)))
    .header('cache-control', 'no-store')
    .send({ error: 'too many failed logins from this address; try again later' });
}

function checkPositive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name} must be a positive integer, was ${value}`);
  return value;
}
