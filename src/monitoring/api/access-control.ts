// One guard for the dashboard and its API. On a loopback bind only local processes can connect, so no
// credentials are asked; on any other address every request needs a bearer token or basic auth.
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Anything that hands out its value only on request, like config's `Secret`. */
export interface SecretLike {
  reveal(): string;
}

export interface AccessControlOptions {
  /** The address the server is bound to, e.g. `127.0.0.1`, `::1`, `localhost`, `0.0.0.0`. */
  readonly host: string;
  /** Accepted as `Authorization: Bearer <token>`, or `?token=` on GET (EventSource cannot set headers). */
  readonly token?: SecretLike;
  /** Accepted as `Authorization: Basic …`. */
  readonly basicAuth?: { readonly user: string; readonly password: string | SecretLike };
}

export type AccessGuard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export interface AccessControl {
  /** False on a loopback bind. */
  readonly required: boolean;
  /** A fastify preHandler/onRequest hook; answers 401 itself when the request is refused. */
  readonly guard: AccessGuard;
  /** Who the request authenticated as: the basic user, `token`, or `local`. */
  principal(request: FastifyRequest): string;
}

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

export function createAccessControl(options: AccessControlOptions): AccessControl {
  if (typeof options.host !== 'string' || options.host.length === 0)
    throw new RangeError(`host must be a non-empty string, was ${String(options.host)}`);
  const required = !isLoopbackHost(options.host);
  if (required && options.token === undefined && options.basicAuth === undefined)
    throw new RangeError(`dashboard bound to ${options.host} needs a token or basicAuth`);
  if (options.token !== undefined && options.token.reveal().length === 0)
    throw new RangeError('token must not be empty');
  const principals = new WeakMap<FastifyRequest, string>();

  const guard: AccessGuard = async (request, reply) => {
    if (!required) {
      principals.set(request, 'local');
      return;
    }
    const principal = authenticate(request, options);
    if (principal !== undefined) {
      principals.set(request, principal);
      return;
    }
    await reply
      .code(401)
      .header('www-authenticate', options.basicAuth !== undefined ? REALM : 'Bearer realm="keel"')
      .header('cache-control', 'no-store')
      .send({ error: 'unauthorized' });
  };
  return { required, guard, principal: (request) => principals.get(request) ?? 'unknown' };
}

function authenticate(request: FastifyRequest, options: AccessControlOptions): string | undefined {
  const header = request.headers.authorization ?? '';
  const [scheme = '', credentials = ''] = header.trim().split(/\s+/, 2);
  if (options.token !== undefined) {
    const token = options.token.reveal();
    if (scheme.toLowerCase() === 'bearer' && safeEqual(credentials, token)) return 'token';
    const queryToken = (request.query as Record<string, unknown> | undefined)?.token;
    if (request.method === 'GET' && typeof queryToken === 'string' && safeEqual(queryToken, token))
      return 'token';
  }
  if (options.basicAuth !== undefined && scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const { user, password } = options.basicAuth;
    const expected = typeof password === 'string' ? password : password.reveal();
    // Both compared every time, so the timing does not tell which half was wrong.
    const userOk = safeEqual(decoded.slice(0, colon), user);
    const passwordOk = safeEqual(decoded.slice(colon + 1), expected);
    if (userOk && passwordOk) return user;
  }
  return undefined;
}

/** Constant time in the candidate's content: digests of equal length are compared. */
function safeEqual(candidate: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(candidate), digest(expected));
}
