// Goal: KEEL_DEMO_SECRETS is read strictly and never echoes a secret in its errors. Method: direct calls.
import { describe, expect, it } from 'vitest';
import { parseDemoSecrets } from '../../examples/demo/demo-secrets.js';

describe('parseDemoSecrets', () => {
  it('treats an unset or blank variable as no secrets', () => {
    expect(parseDemoSecrets(undefined)).toBeUndefined();
    expect(parseDemoSecrets('  ')).toBeUndefined();
  });

  it('reads the passphrase and the dashboard token', () => {
    expect(parseDemoSecrets('{"passphrase":"pass-phrase-123","dashboardToken":"token-abcdefgh"}')).toEqual({
      passphrase: 'pass-phrase-123',
      dashboardToken: 'token-abcdefgh',
    });
  });

  it('refuses non-objects and short or non-string values without echoing them', () => {
    expect(() => parseDemoSecrets('not json')).toThrow(RangeError);
    expect(() => parseDemoSecrets('["a"]')).toThrow(/was an array/);
    expect(() => parseDemoSecrets('{"passphrase":"short"}')).toThrow(/at least 8 characters, was string/);
    expect(() => parseDemoSecrets('{"passphrase":"short"}')).not.toThrow(/short"/);
    expect(() => parseDemoSecrets('{"dashboardToken":12345678}')).toThrow(/was number/);
  });
});
