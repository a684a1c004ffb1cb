// Goal: a request is local only from a loopback peer, to a loopback listener, through no proxy; the
// guard refuses to start open on a public bind. Method: the pure helpers, the constructor checks and
// stand-in requests; the HTTP matrix is in test/monitoring/dashboard-auth.test.ts.
import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createAccessControl, isLoopbackHost } from './access-control.js';

const secret = (value: string) => ({ reveal: () => value });

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1'])(
    '%s is loopback',
    (host) => {
      expect(isLoopbackHost(host)).toBe(true);
    },
  );

  it.each([
    '0.0.0.0',
    '::',
    '10.0.0.1',
    '192.168.1.5',
    '128.0.0.1',
    'example.com',
    '127.example.com',
    '::2',
    '',
  ])('%s is not loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

const request = (remoteAddress: string, headers: Record<string, string> = {}) =>
  ({ socket: { remoteAddress }, headers }) as unknown as FastifyRequest;

describe('createAccessControl', () => {
  it('counts a loopback peer on a loopback listener with no forwarding header as local', () => {
    const access = createAccessControl({ host: '127.0.0.1' });
    expect(access.isLocal(request('127.0.0.1'))).toBe(true);
    expect(access.isLocal(request('::ffff:127.0.0.1'))).toBe(true);
  });

  it.each(['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip', 'via'])(
    'counts a request carrying %s as remote',
    (header) => {
      const access = createAccessControl({ host: '127.0.0.1' });
      expect(access.isLocal(request('127.0.0.1', { [header]: '203.0.113.7' }))).toBe(false);
    },
  );

  it('counts every request on a proxied listener, or from another machine, or to a public bind as remote', () => {
    expect(createAccessControl({ host: '127.0.0.1', proxied: true }).isLocal(request('127.0.0.1'))).toBe(
      false,
    );
    expect(createAccessControl({ host: '127.0.0.1' }).isLocal(request('10.0.0.9'))).toBe(false);
    const wide = createAccessControl({ host: '0.0.0.0', token: secret('t0ken') });
    expect(wide.isLocal(request('127.0.0.1'))).toBe(false);
  });

  it('refuses to serve a public bind without a token or basic auth', () => {
    expect(() => createAccessControl({ host: '0.0.0.0' })).toThrow(/0\.0\.0\.0 needs a token or basicAuth/);
  });

  it('refuses an empty token and non-positive limits', () => {
    expect(() => createAccessControl({ host: '0.0.0.0', token: secret('') })).toThrow(
      /token must not be empty/,
    );
    expect(() => createAccessControl({ host: '::1', authFailuresMax: 0 })).toThrow(
      /authFailuresMax must be a positive integer, was 0/,
    );
  });

  it('derives the session key from the credentials, so changing them ends every session', () => {
    const key = (token: string) => createAccessControl({ host: '0.0.0.0', token: secret(token) }).sessionKey;
    expect(key('token-one')).toBe(key('token-one'));
    expect(key('token-one')).not.toBe(key('token-two'));
    expect(key('token-one')).not.toContain('token-one');
  });
});
