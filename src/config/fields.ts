// Field builders for the config schema. Each error message is the "expected" text of a problem.
import { isIP } from 'node:net';
import { z } from 'zod';
import { parseDecimal } from '../core/decimal.js';
import { isProxySetting } from '../net/proxy-route.js';
import { Secret } from './secret.js';

export const positiveInt = () =>
  z
    .number({ error: 'positive integer' })
    .int({ error: 'positive integer' })
    .positive({ error: 'positive integer' });

export const intRange = (min: number, max: number) => {
  const expected = `integer ${min}..${max}`;
  return z
    .number({ error: expected })
    .int({ error: expected })
    .min(min, { error: expected })
    .max(max, { error: expected });
};

export const nonNegativeInt = () =>
  z.number({ error: 'integer >= 0' }).int({ error: 'integer >= 0' }).nonnegative({ error: 'integer >= 0' });

/** A duration in ms: a positive integer no larger than 7 days, so every timer stays finite and sane. */
export const durationMs = () =>
  positiveInt().max(7 * 24 * 3_600_000, { error: 'positive integer <= 604800000 (7 days)' });

export const portNumber = () => intRange(0, 65_535);

export const bool = () => z.boolean({ error: 'boolean (true/false)' });

export const text = () => z.string({ error: 'non-empty string' }).min(1, { error: 'non-empty string' });

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `one of ${values.map((v) => JSON.stringify(v)).join(', ')}` });

/** A secret: a non-empty string in the input, a Secret instance in the parsed config. */
export const secret = () =>
  z
    .string({ error: 'non-empty string (secret)' })
    .min(1, { error: 'non-empty string (secret)' })
    .transform((value) => new Secret(value));

export const httpUrl = () => text().refine((value) => isHttpUrl(value), { error: 'http(s) URL' });

/** A URL that may carry credentials (webhook URLs with tokens), kept as a Secret. */
export const secretHttpUrl = () =>
  z
    .string({ error: 'http(s) URL (secret)' })
    .refine((value) => isHttpUrl(value), { error: 'http(s) URL (secret)' })
    .transform((value) => new Secret(value));

export const ipAddress = () => text().refine((value) => isIP(value) !== 0, { error: 'IPv4 or IPv6 address' });

/** A DNS host name such as `keel.example.com` (no scheme, port or path). */
export const hostName = () =>
  text().refine((value) => HOST_NAME_PATTERN.test(value), { error: 'host name such as keel.example.com' });

const HOST_NAME_PATTERN =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** An address or a CIDR block such as 10.0.0.0/8. */
export const ipOrCidr = () =>
  text().refine((value) => isIpOrCidr(value), { error: 'IP address or CIDR block (10.0.0.0/8)' });

/** A decimal kept as a string (money is never a float); `positive` excludes zero. */
export const decimalString = (options: { positive: boolean }) => {
  const expected = options.positive ? 'positive decimal string ("1000")' : 'decimal string >= 0 ("0.01")';
  return z
    .string({ error: expected })
    .refine((value) => isDecimalAbove(value, options.positive), { error: expected });
};

export const symbol = () =>
  z
    .string({ error: 'market symbol (BTCIRT)' })
    .regex(/^[A-Z0-9]{2,20}$/, { error: 'market symbol (BTCIRT)' });

export const list = <T extends z.ZodType>(item: T, options: { min: number; max: number }) =>
  z
    .array(item, { error: `list of ${options.min}..${options.max} items` })
    .min(options.min, { error: `list of ${options.min}..${options.max} items` })
    .max(options.max, { error: `list of ${options.min}..${options.max} items` });

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function isIpOrCidr(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  if (address === undefined || rest.length > 0) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

function isDecimalAbove(value: string, positive: boolean): boolean {
  try {
    const decimal = parseDecimal(value, 'value');
    return positive ? decimal.isPositive() && !decimal.isZero() : !decimal.isNegative() || decimal.isZero();
  } catch {
    return false;
  }
}

/** An outbound proxy: `direct` (ignore HTTPS_PROXY) or an http(s):// or socks5(h):// URL; may hold a password. */
export const proxySetting = () => {
  const expected = 'proxy URL (http://, https://, socks5://, socks5h://) or "direct"';
  return z
    .string({ error: expected })
    .refine((value) => isProxySetting(value), { error: expected })
    .transform((value) => new Secret(value));
};
