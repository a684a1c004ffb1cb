// Goal: secret values never survive into error text, in plain or URL-encoded form, and peer text is
// bounded. Method: direct calls with crafted strings.
import { describe, expect, it } from 'vitest';
import {
  ChannelDeliveryError,
  errorText,
  isChannelDeliveryError,
  isRetryableStatus,
  PEER_TEXT_MAX,
  peerText,
  scrubSecrets,
} from './errors.js';

describe('channel errors', () => {
  it('scrubs each secret, plain and URL-encoded, and leaves short ones alone', () => {
    const text = scrubSecrets('key a/b+c=, again a%2Fb%2Bc%3D, and xy', ['a/b+c=', 'xy']);
    expect(text).toBe('key [redacted], again [redacted], and xy');
  });

  it('keeps peer text on one line and cut to PEER_TEXT_MAX characters', () => {
    const text = peerText(`line one\n${'z'.repeat(500)}`, []);
    expect(text.startsWith('line one z')).toBe(true);
    expect(text).toHaveLength(PEER_TEXT_MAX + 1);
  });

  it('prefixes an error code that the message lacks, scrubbed', () => {
    const error = Object.assign(new Error('connect to /bot123456:token failed'), { code: 'ECONNRESET' });
    expect(errorText(error, ['123456:token'])).toBe('ECONNRESET: connect to /bot[redacted] failed');
  });

  it('classifies statuses: 408, 425, 429 and 5xx may succeed later, other 4xx do not', () => {
    expect([408, 425, 429, 500, 503].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 422].some(isRetryableStatus)).toBe(false);
  });

  it('guards by code', () => {
    expect(isChannelDeliveryError(new ChannelDeliveryError('x', { channel: 'sms', retryable: true }))).toBe(
      true,
    );
    expect(isChannelDeliveryError(new Error('x'))).toBe(false);
  });
});
