// The dashboard's session: a cookie signed by @fastify/cookie (HMAC with the key AccessControl derives
// from the credentials) holding who logged in and until when. HttpOnly so page scripts never see it,
// SameSite=Strict so no other site's page can send it, Secure when the browser came over HTTPS.
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'keel_session';

export interface SessionGrant {
  readonly principal: string;
  readonly expiresAtMs: number;
  readonly ttlMs: number;
}

/** The signed cookie value and its attributes for a login. */
export function sessionCookie(
  request: FastifyRequest,
  grant: SessionGrant,
): { value: string; options: CookieSerializeOptions } {
  const value = `${Buffer.from(grant.principal, 'utf8').toString('base64url')}.${grant.expiresAtMs}`;
  return {
    value,
    options: {
      signed: true,
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      secure: cameOverHttps(request),
      maxAge: Math.floor(grant.ttlMs / 1_000),
    },
  };
}

/** The principal of a valid, unexpired session cookie on the request, else undefined. */
export function readSession(request: FastifyRequest, nowMs: number): string | undefined {
  const raw = request.cookies?.[SESSION_COOKIE];
  if (raw === undefined) return undefined;
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || unsigned.value === null) return undefined;
  const match = /^([A-Za-z0-9_-]+)\.(\d{1,16})$/.exec(unsigned.value);
  if (match === null || match[1] === undefined || match[2] === undefined) return undefined;
  if (Number(match[2]) <= nowMs) return undefined;
  return Buffer.from(match[1], 'base64url').toString('utf8');
}

/** Behind a TLS-terminating proxy the proxy says so; a direct connection to Keel is plain HTTP. */
function cameOverHttps(request: FastifyRequest): boolean {
  const proto = request.headers['x-forwarded-proto'];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim().toLowerCase();
  return first === 'https';
}
