// The credentials the operator surface accepts: a bearer token or basic auth, compared in constant
// time, and the session-signing key derived from them.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { AccessControlOptions } from './access-control.js';

/** The principal the Authorization header proves (`token` or the basic user), else undefined. */
export function authenticate(request: FastifyRequest, options: AccessControlOptions): string | undefined {
  const header = request.headers.authorization ?? '';
  const [scheme = '', credentials = ''] = header.trim().split(/\s+/, 2);
  if (options.token !== undefined) {
    if (scheme.toLowerCase() === 'bearer' && safeEqual(credentials, options.token.reveal())) return 'token';
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

/** Changes whenever the credentials do, so changing them ends every session. */
export function deriveSessionKey(options: AccessControlOptions): string {
  const password = options.basicAuth?.password;
  const parts = [
    options.token?.reveal(),
    options.basicAuth?.user,
    typeof password === 'string' ? password : password?.reveal(),
  ];
  // Without credentials no session is ever issued; the key only has to be unguessable.
  if (parts.every((part) => part === undefined)) return randomBytes(32).toString('base64url');
  return createHash('sha256')
    .update(`keel-session-v1\0${parts.map((part) => part ?? '').join('\0')}`, 'utf8')
    .digest('base64url');
}
