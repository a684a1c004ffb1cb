// Goal: each authentication check answers true only for the real thing. Method: direct calls with
// good, wrong, truncated and odd inputs; address resolution through trusted and untrusted hops.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AddressSet,
  passphraseMatches,
  resolveClientAddress,
  revealSecret,
  signatureMatches,
  signBody,
  unmapIpv4,
} from './authenticate.js';

describe('passphraseMatches', () => {
  it.each([
    ['s3cret', true],
    ['s3cre', false],
    ['s3cret ', false],
    ['', false],
    [undefined, false],
    [12, false],
  ])('compares %j', (given, expected) => {
    expect(passphraseMatches('s3cret', given)).toBe(expected);
  });

  it('never matches an empty expected passphrase', () => {
    expect(passphraseMatches('', '')).toBe(false);
  });

  it('reveals secret objects and plain strings alike', () => {
    expect(revealSecret({ reveal: () => 'a' })).toBe('a');
    expect(revealSecret('b')).toBe('b');
  });
});

describe('signatureMatches', () => {
  const body = Buffer.from('{"side":"buy"}');
  const signed = { rawBody: body, timestamp: '1767268800000' };
  it('accepts the sha256 HMAC of the timestamp and the exact bytes, hex in any case', () => {
    const header = signBody('key', body, 1767268800000);
    expect(signatureMatches('key', signed, header)).toBe(true);
    expect(signatureMatches('key', signed, header.toUpperCase().replace('SHA256', 'sha256'))).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['no scheme', signBody('key', '{"side":"buy"}', 1767268800000).slice(7)],
    ['short', signBody('key', '{"side":"buy"}', 1767268800000).slice(0, -2)],
    ['other key', signBody('other', '{"side":"buy"}', 1767268800000)],
    ['other body', signBody('key', '{"side":"sell"}', 1767268800000)],
    ['other timestamp', signBody('key', '{"side":"buy"}', 1767268800001)],
    ['body-only (no timestamp)', `sha256=${createHmac('sha256', 'key').update(body).digest('hex')}`],
  ])('refuses a %s signature', (_name, header) => {
    expect(signatureMatches('key', signed, header)).toBe(false);
  });
});

describe('resolveClientAddress', () => {
  const proxies = new AddressSet(['10.0.0.0/8', '::1']);
  it('returns an untrusted peer and ignores its forwarded header', () => {
    expect(resolveClientAddress('203.0.113.1', '52.89.214.238', proxies)).toBe('203.0.113.1');
  });

  it('walks a trusted chain from the right to the first untrusted hop', () => {
    expect(resolveClientAddress('::ffff:10.1.1.1', ['1.1.1.1, 2.2.2.2', '10.2.2.2'], proxies)).toBe(
      '2.2.2.2',
    );
  });

  it('returns the trusted peer itself when it forwards nothing', () => {
    expect(resolveClientAddress('::1', undefined, proxies)).toBe('::1');
  });

  it.each([
    ['all hops trusted', '10.0.0.1, 10.0.0.2'],
    ['a malformed hop', '1.1.1.1, garbage'],
    ['too many hops', Array.from({ length: 21 }, () => '10.0.0.1').join(',')],
  ])('believes nothing when %s', (_name, header) => {
    expect(resolveClientAddress('10.0.0.9', header, proxies)).toBeUndefined();
  });
});

describe('AddressSet', () => {
  it('matches addresses and ranges, IPv4-mapped included', () => {
    const set = new AddressSet(['52.89.214.238', '192.168.0.0/16']);
    expect(set.has('52.89.214.238')).toBe(true);
    expect(set.has('::ffff:192.168.4.4')).toBe(true);
    expect(set.has('52.89.214.239')).toBe(false);
    expect(set.has('not an address')).toBe(false);
    expect(unmapIpv4(' ::FFFF:1.2.3.4 ')).toBe('1.2.3.4');
  });

  it.each([['1.2.3'], ['10.0.0.0/33'], ['10.0.0.0/x']])('refuses the entry %s with a RangeError', (entry) => {
    expect(() => new AddressSet([entry])).toThrow(RangeError);
  });
});
