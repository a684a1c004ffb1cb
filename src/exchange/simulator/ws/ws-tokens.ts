// Connection tokens for the simulator's WebSocket, as `GET /auth/ws/token/` hands them out (reference
// 2.3): a JWT-shaped string that names the account and expires. Only the simulator reads them.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Clock } from '../../../core/clock.js';

/** Tokens remembered at once; the oldest are forgotten beyond this. */
export const WS_TOKENS_MAX = 10_000;

export type WsTokenCheck =
  | { readonly kind: 'valid'; readonly account: string; readonly ttlMs: number }
  | { readonly kind: 'expired' }
  | { readonly kind: 'invalid' };

/** The suffix of an account's private channels (`private:orders#…`), constant per account. */
export const websocketAuthParamOf = (account: string): string =>
  createHash('sha256').update(`ws:${account}`).digest('hex').slice(0, 32);

export class WsTokens {
  readonly #tokens = new Map<string, { account: string; expiresAtMs: number }>();
  readonly #key = randomBytes(32);

  constructor(
    private readonly clock: Clock,
    /** How long a token is good for, ms. */
    readonly ttlMs: number,
  ) {
    if (!Number.isInteger(ttlMs) || ttlMs < 1_000)
      throw new RangeError(`wsTokenTtlMs must be an integer >= 1000, was ${ttlMs}`);
  }

  issue(account: string): string {
    const expiresAtMs = this.clock.nowMs() + this.ttlMs;
    const header = base64url({ alg: 'HS256', typ: 'JWT' });
    const payload = base64url({ sub: websocketAuthParamOf(account), exp: Math.floor(expiresAtMs / 1000) });
    const signature = createHmac('sha256', this.#key).update(`${header}.${payload}`).digest('base64url');
    const token = `${header}.${payload}.${signature}`;
    if (this.#tokens.size >= WS_TOKENS_MAX) {
      const oldest = this.#tokens.keys().next().value;
      if (oldest !== undefined) this.#tokens.delete(oldest);
    }
    this.#tokens.set(token, { account, expiresAtMs });
    return token;
  }

  check(token: unknown): WsTokenCheck {
    const entry = typeof token === 'string' ? this.#tokens.get(token) : undefined;
    if (entry === undefined) return { kind: 'invalid' };
    const ttlMs = entry.expiresAtMs - this.clock.nowMs();
    if (ttlMs <= 0) return { kind: 'expired' };
    return { kind: 'valid', account: entry.account, ttlMs };
  }
}

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
