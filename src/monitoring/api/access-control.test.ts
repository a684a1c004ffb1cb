// Goal: the guard knows a loopback bind from any other, and refuses to start open on a public one.
// Method: the pure helpers and the constructor checks; the HTTP matrix is in test/monitoring/dashboard-auth.test.ts.
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

describe('createAccessControl', () => {
  it('needs no credentials on loopback', () => {
    expect(createAccessControl({ host: '127.0.0.1' }).required).toBe(false);
  });

  it('refuses to serve a public bind without a token or basic auth', () => {
    expect(() => createAccessControl({ host: '0.0.0.0' })).toThrow(/0\.0\.0\.0 needs a token or basicAuth/);
  });

  it('refuses an empty token', () => {
    expect(() => createAccessControl({ host: '0.0.0.0', token: secret('') })).toThrow(
      /token must not be empty/,
    );
  });

  it('requires credentials on a public bind when they are configured', () => {
    expect(createAccessControl({ host: '0.0.0.0', token: secret('t0ken') }).required).toBe(true);
    expect(createAccessControl({ host: '::', basicAuth: { user: 'ops', password: 'pw' } }).required).toBe(
      true,
    );
  });
});
