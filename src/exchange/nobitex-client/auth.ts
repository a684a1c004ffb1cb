// Request authentication: classic token, or Ed25519 API-key signatures over
// timestamp + METHOD + path-with-query + raw body (reference 2.2). Secrets never leave this file.
import { createPrivateKey, type KeyObject, sign } from 'node:crypto';
import type { Clock } from '../../core/clock.js';

export type NobitexAuth =
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'apiKey'; readonly publicKey: string; readonly privateKey: string };

export interface SignedRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body: string;
}

/** PKCS#8 DER prefix for a raw 32-byte Ed25519 seed (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export type AuthHeaders = (request: SignedRequest) => Record<string, string>;

/** Validates the credentials once and returns the header builder. Messages never echo a secret. */
export function createAuthHeaders(auth: NobitexAuth, clock: Clock): AuthHeaders {
  if (auth.kind === 'token') {
    if (!/^[0-9A-Za-z]{20,128}$/.test(auth.token))
      throw new RangeError(
        `token must be 20-128 alphanumeric characters, had ${auth.token.length} characters`,
      );
    const value = `Token ${auth.token}`;
    return () => ({ authorization: value });
  }
  const key = privateKeyFromSeed(auth.privateKey);
  if (auth.publicKey.trim() === '') throw new RangeError('publicKey must not be empty');
  return (request) => {
    const timestamp = String(Math.floor(clock.nowMs() / 1000));
    const message = `${timestamp}${request.method}${request.path}${request.body}`;
    const signature = sign(null, Buffer.from(message, 'utf8'), key).toString('base64url');
    return { 'nobitex-key': auth.publicKey, 'nobitex-timestamp': timestamp, 'nobitex-signature': signature };
  };
}

function privateKeyFromSeed(seedText: string): KeyObject {
  const seed = Buffer.from(seedText.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (seed.length !== 32)
    throw new RangeError(
      `privateKey must be a base64url 32-byte Ed25519 seed, decoded to ${seed.length} bytes`,
    );
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}
