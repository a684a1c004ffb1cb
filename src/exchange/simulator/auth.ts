// Both Nobitex auth paths: `Authorization: Token <40 hex>` and Ed25519 API-key headers signed over
// timestamp + METHOD + path-with-query + raw body. Failures answer DRF-style 401 {"detail"} with the
// Persian texts Nobitex sends; >100 failures per IP in 30 min lock the IP until that window ends.
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type { SimAccountConfig } from './types.js';

export const AUTH_MISSING_DETAIL = 'اطلاعات برای اعتبارسنجی ارسال نشده است.';
export const AUTH_INVALID_DETAIL = 'توکن غیر مجاز است.';
/** Accepted distance between Nobitex-Timestamp and the clock. */
export const SIGNATURE_WINDOW_MS = 30_000;
export const AUTH_FAILURES_MAX = 100;
export const AUTH_LOCKOUT_WINDOW_MS = 30 * 60_000;
/** IPs with failure counters kept; the oldest is forgotten beyond this. */
export const AUTH_TRACKED_IPS_MAX = 10_000;

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface AuthRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly method: string;
  /** Path with query string, exactly as sent. */
  readonly url: string;
  readonly rawBody: string;
  readonly ip: string;
}

export type AuthResult =
  | { readonly ok: true; readonly token: string }
  | { readonly ok: false; readonly httpStatus: 401 | 429; readonly body: Record<string, unknown> };

export class Authenticator {
  readonly #tokens = new Set<string>();
  readonly #keys = new Map<string, { token: string; key: KeyObject }>();
  readonly #failures = new Map<string, { windowStartMs: number; count: number }>();

  constructor(
    accounts: readonly SimAccountConfig[],
    private readonly clock: Clock,
  ) {
    for (const account of accounts) {
      this.#tokens.add(account.token);
      if (account.apiKey === undefined) continue;
      const raw = Buffer.from(account.apiKey.publicKeyBase64, 'base64');
      if (raw.length !== 32)
        throw new RangeError(`apiKey.publicKeyBase64 must decode to 32 bytes, was ${raw.length}`);
      const key = createPublicKey({
        key: Buffer.concat([ED25519_SPKI_PREFIX, raw]),
        format: 'der',
        type: 'spki',
      });
      this.#keys.set(raw.toString('hex'), { token: account.token, key });
    }
  }

  authenticate(request: AuthRequest): AuthResult {
    const nowMs = this.clock.nowMs();
    const lock = this.#failures.get(request.ip);
    if (
      lock !== undefined &&
      lock.count > AUTH_FAILURES_MAX &&
      nowMs - lock.windowStartMs < AUTH_LOCKOUT_WINDOW_MS
    ) {
      const backOff = Math.ceil((lock.windowStartMs + AUTH_LOCKOUT_WINDOW_MS - nowMs) / 1000);
      return { ok: false, httpStatus: 429, body: tooMany(backOff, AUTH_FAILURES_MAX) };
    }
    const result = this.#check(request, nowMs);
    if (!result.ok) this.#recordFailure(request.ip, nowMs);
    return result;
  }

  #check(request: AuthRequest, nowMs: number): AuthResult {
    const authorization = header(request, 'authorization');
    const publicKey = header(request, 'nobitex-key');
    if (authorization !== undefined) {
      const match = /^Token ([0-9a-f]{40})$/.exec(authorization.trim());
      if (match === null)
        return invalid(/^Token\s/.test(authorization) ? AUTH_INVALID_DETAIL : AUTH_MISSING_DETAIL);
      return this.#tokens.has(match[1] ?? '')
        ? { ok: true, token: match[1] ?? '' }
        : invalid(AUTH_INVALID_DETAIL);
    }
    if (publicKey === undefined) return invalid(AUTH_MISSING_DETAIL);
    const timestamp = header(request, 'nobitex-timestamp');
    const signature = header(request, 'nobitex-signature');
    if (timestamp === undefined || signature === undefined) return invalid(AUTH_MISSING_DETAIL);
    const entry = this.#keys.get(Buffer.from(publicKey, 'base64').toString('hex'));
    if (entry === undefined) return invalid(AUTH_INVALID_DETAIL);
    if (!/^\d{1,12}$/.test(timestamp) || Math.abs(Number(timestamp) * 1000 - nowMs) > SIGNATURE_WINDOW_MS)
      return invalid(AUTH_INVALID_DETAIL);
    const message = Buffer.from(
      `${timestamp}${request.method.toUpperCase()}${request.url}${request.rawBody}`,
      'utf8',
    );
    // Node's base64 decoder reads both the standard and the URL-safe alphabet.
    const ok = verify(null, message, entry.key, Buffer.from(signature, 'base64'));
    return ok ? { ok: true, token: entry.token } : invalid(AUTH_INVALID_DETAIL);
  }

  #recordFailure(ip: string, nowMs: number): void {
    const entry = this.#failures.get(ip);
    if (entry === undefined || nowMs - entry.windowStartMs >= AUTH_LOCKOUT_WINDOW_MS) {
      this.#failures.delete(ip);
      this.#failures.set(ip, { windowStartMs: nowMs, count: 1 });
      if (this.#failures.size > AUTH_TRACKED_IPS_MAX) {
        const oldest = this.#failures.keys().next().value;
        if (oldest !== undefined) this.#failures.delete(oldest);
      }
      return;
    }
    entry.count++;
  }
}

function header(request: AuthRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const invalid = (detail: string): AuthResult => ({ ok: false, httpStatus: 401, body: { detail } });

export function tooMany(backOffSeconds: number, limit: number): Record<string, unknown> {
  return {
    status: 'failed',
    code: 'TooManyRequests',
    message: `تعداد درخواست شما بیش از حد معمول تشخیص داده شده. لطفا ${backOffSeconds} ثانیه صبر نمایید.`,
    backOff: backOffSeconds,
    limit,
  };
}
