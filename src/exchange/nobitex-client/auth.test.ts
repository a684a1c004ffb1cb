// Goal: both auth kinds produce the documented headers and no error message carries a secret.
// Method: build headers on a FakeClock, verify the Ed25519 signature with node:crypto.
import { createPrivateKey, createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { createAuthHeaders } from './auth.js';

const seed = Buffer.alloc(32, 3);

describe('createAuthHeaders', () => {
  it('sends Authorization: Token <token>', () => {
    const headers = createAuthHeaders(
      { kind: 'token', token: 'db2055f743c1ac8c30d23278a496283b1e2dd46f' },
      new FakeClock(),
    );
    expect(headers({ method: 'GET', path: '/users/profile', body: '' })).toEqual({
      authorization: 'Token db2055f743c1ac8c30d23278a496283b1e2dd46f',
    });
  });

  it('signs seconds + METHOD + path + body, base64url, with the key built from the seed', () => {
    const clock = new FakeClock(1_700_000_000_999);
    const headers = createAuthHeaders(
      { kind: 'apiKey', publicKey: 'PUB', privateKey: seed.toString('base64url') },
      clock,
    )({
      method: 'POST',
      path: '/market/orders/status',
      body: '{"id":1}',
    });
    expect(headers['nobitex-timestamp']).toBe('1700000000');
    expect(headers['nobitex-key']).toBe('PUB');
    expect(headers['nobitex-signature']).toMatch(/^[A-Za-z0-9_-]+$/);
    const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
    const publicKey = createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
    const message = Buffer.from('1700000000POST/market/orders/status{"id":1}');
    expect(
      verify(null, message, publicKey, Buffer.from(headers['nobitex-signature'] ?? '', 'base64url')),
    ).toBe(true);
  });

  it('accepts a standard-base64 seed as well', () => {
    expect(() =>
      createAuthHeaders(
        { kind: 'apiKey', publicKey: 'PUB', privateKey: Buffer.alloc(32, 255).toString('base64') },
        new FakeClock(),
      ),
    ).not.toThrow();
  });

  it('refuses a malformed token without echoing it', () => {
    const token = 'secret token with spaces!!';
    expect(() => createAuthHeaders({ kind: 'token', token }, new FakeClock())).toThrow(/had 26 characters/);
    try {
      createAuthHeaders({ kind: 'token', token }, new FakeClock());
    } catch (error) {
      expect((error as Error).message).not.toContain(token);
    }
  });
});
