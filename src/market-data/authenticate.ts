// The checks that decide whether a webhook may be believed. Each answers only true/false: the
// caller turns any false into one 401 that never says which check failed.
import { createHmac, hash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** A secret as config hands it over (an object that reveals on demand), or plain text. */
export type SecretValue = string | { reveal(): string };

export const revealSecret = (secret: SecretValue): string =>
  typeof secret === 'string' ? secret : secret.reveal();

/** TradingView sends webhooks only from these addresses (IPv4 only). */
export const TRADINGVIEW_ADDRESSES: readonly string[] = Object.freeze([
  '52.89.214.238',
  '34.212.75.30',
  '54.218.53.128',
  '52.32.178.7',
]);

/**
 * Constant time whatever the inputs: both sides are hashed first, so the comparison is always
 * over 32 equal-length bytes and neither the length nor a prefix of the secret leaks.
 */
export function passphraseMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  return timingSafeEqual(digestOfExpected(expected), sha256(given)) && expected.length > 0;
}

const sha256 = (text: string): Buffer => hash('sha256', text, 'buffer') as Buffer;

/** The configured passphrase is the same on every request: its digest is computed once. */
let expectedDigest: { readonly text: string; readonly digest: Buffer } | undefined;
function digestOfExpected(text: string): Buffer {
  if (expectedDigest?.text !== text) expectedDigest = { text, digest: sha256(text) };
  return expectedDigest.digest;
}

export const SIGNATURE_HEADER = 'x-keel-signature';
/** Epoch milliseconds when the sender signed; covered by the signature and checked for freshness. */
export const TIMESTAMP_HEADER = 'x-keel-timestamp';

/**
 * Verifies `sha256=<hex>` of HMAC-SHA256 over `<timestamp>.<raw body bytes>`, so that a captured
 * signature is only good together with its own timestamp.
 */
export function signatureMatches(
  secret: string,
  signed: { readonly rawBody: Uint8Array; readonly timestamp: string },
  header: string | undefined,
): boolean {
  if (header === undefined) return false;
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (match === null || match[1] === undefined) return false;
  const given = Buffer.from(match[1], 'hex');
  const expected = signatureOf(secret, signed.rawBody, signed.timestamp);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** `sha256=<hex>` for a body signed at `timestampMs`, for senders (and tests) that sign. */
export const signBody = (secret: string, rawBody: Uint8Array | string, timestampMs: number): string =>
  `sha256=${signatureOf(secret, rawBody, String(timestampMs)).toString('hex')}`;

/** Both headers a signing sender sets. */
export const signedHeaders = (
  secret: string,
  rawBody: Uint8Array | string,
  timestampMs: number,
): Record<string, string> => ({
  [TIMESTAMP_HEADER]: String(timestampMs),
  [SIGNATURE_HEADER]: signBody(secret, rawBody, timestampMs),
});

const signatureOf = (secret: string, rawBody: Uint8Array | string, timestamp: string): Buffer =>
  createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(rawBody).digest();

/** Addresses whose answer an AddressSet remembers at most (then it forgets them all and starts over). */
const CHECKED_ADDRESSES_MAX = 1_024;

/** A set of addresses and CIDR ranges (`10.0.0.0/8`), IPv4 and IPv6. */
export class AddressSet {
  readonly #list = new BlockList();
  readonly #checked = new Map<string, boolean>();
  readonly size: number;

  constructor(entries: readonly string[]) {
    for (const entry of entries) addEntry(this.#list, entry);
    this.size = entries.length;
  }

  has(address: string): boolean {
    if (this.size === 0) return false;
    let known = this.#checked.get(address);
    if (known === undefined) {
      // BlockList.check builds a SocketAddress per call (~10 µs): the same few peers are remembered.
      if (this.#checked.size >= CHECKED_ADDRESSES_MAX) this.#checked.clear();
      known = this.#check(unmapIpv4(address));
      this.#checked.set(address, known);
    }
    return known;
  }

  #check(plain: string): boolean {
    if (isIPv4(plain)) return this.#list.check(plain, 'ipv4');
    if (isIPv6(plain)) return this.#list.check(plain, 'ipv6');
    return false;
  }
}

function addEntry(list: BlockList, entry: string): void {
  const [address = '', prefixText] = entry.trim().split('/');
  const type = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
  if (type === undefined) throw new RangeError(`not an IP address or CIDR range: ${JSON.stringify(entry)}`);
  if (prefixText === undefined) {
    list.addAddress(address, type);
    return;
  }
  const prefix = Number(prefixText);
  const prefixMax = type === 'ipv4' ? 32 : 128;
  if (!/^\d+$/.test(prefixText) || prefix > prefixMax)
    throw new RangeError(`CIDR prefix must be in [0, ${prefixMax}], was ${JSON.stringify(entry)}`);
  list.addSubnet(address, prefix, type);
}

/** `::ffff:1.2.3.4` (an IPv4 peer on a dual-stack socket) → `1.2.3.4`. */
export const unmapIpv4 = (address: string): string => {
  // Most peers are plain (`1.2.3.4`, `2001:db8::1`): nothing to trim, and no `::ffff:` to strip.
  if (
    isAsciiAlphanumeric(address.charCodeAt(0)) &&
    isAsciiAlphanumeric(address.charCodeAt(address.length - 1))
  )
    return address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address.trim());
  return mapped?.[1] ?? address.trim();
};

const isAsciiAlphanumeric = (code: number): boolean =>
  (code >= 0x30 && code <= 0x39) || ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a);

/** Longest X-Forwarded-For we read; a longer chain is a sign of abuse, not of real proxies. */
export const FORWARDED_HOP_COUNT_MAX = 20;

/**
 * The client's address. Only a trusted proxy's word is taken: when the socket peer is trusted,
 * walk X-Forwarded-For from the right past trusted hops and return the first untrusted one.
 * Returns undefined when the chain cannot be believed (malformed, too long, or all trusted).
 */
export function resolveClientAddress(
  peerAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustedProxies: AddressSet,
): string | undefined {
  if (peerAddress === undefined) return undefined;
  const peer = unmapIpv4(peerAddress);
  if (!trustedProxies.has(peer)) return peer;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
  if (header === undefined || header.trim() === '') return peer;
  const hops = header.split(',').map((hop) => unmapIpv4(hop));
  if (hops.length > FORWARDED_HOP_COUNT_MAX) return undefined;
  for (let index = hops.length - 1; index >= 0; index--) {
    const hop = hops[index] ?? '';
    if (!isIPv4(hop) && !isIPv6(hop)) return undefined;
    if (!trustedProxies.has(hop)) return hop;
  }
  return undefined;
}
