// The idempotency key of a signal. TradingView may re-send and alerts may re-fire; the store's
// UNIQUE(dedup_key) turns a second copy into "duplicate" instead of a second order.
//
// Keys sort in the order alerts arrive (the sender's id, or the alert time first), so each accepted
// signal adds its key next to the last one in the dedup index: one index page written per commit,
// not one page somewhere in a year of keys per signal, as a hash in front made it.
import { hash } from 'node:crypto';
import type { Signal } from './signal.js';

/**
 * `cid:<id>` for the sender's explicit id when there is one, else `at:<alert time>:<sha256>` of what
 * the signal asks for (symbol, side, size, order, strategy) and when it fired. Decimals are canonical
 * text, so `0.010` and `0.01` give the same key. An alert without a time gets its received time, so a
 * retry of such an alert is not recognised: templates should send `{{timenow}}`.
 */
export function dedupKey(signal: Signal): string {
  if (signal.clientId !== undefined) return `cid:${signal.clientId}`;
  return `at:${String(signal.alertAtMs).padStart(ALERT_AT_DIGITS, '0')}:${hash('sha256', contentText(signal), 'base64url')}`;
}

/**
 * The key versions before this one gave the same signal (`id:`/`signal:` and a hex sha256): a
 * signal they stored under it is a duplicate too.
 */
export function legacyDedupKey(signal: Signal): string {
  if (signal.clientId !== undefined) return `id:${sha256Hex(signal.clientId)}`;
  return `signal:${sha256Hex(contentText(signal))}`;
}

/** Epoch ms in fixed width, so the keys' text order is their time order (to the year 2286 and past). */
const ALERT_AT_DIGITS = 15;

function contentText(signal: Signal): string {
  const size = signal.size;
  const sizeText =
    size.kind === 'base'
      ? size.amount
      : size.kind === 'quote'
        ? size.value
        : size.kind === 'percent'
          ? size.percent
          : size.position;
  const price = signal.order.type === 'limit' ? signal.order.price : '';
  const parts = [
    signal.symbol,
    signal.side ?? '',
    size.kind,
    sizeText,
    signal.order.type,
    price,
    signal.strategy ?? '',
    String(signal.alertAtMs),
    // Only when present, so the keys of trade signals stay what they were.
    ...(signal.action === undefined ? [] : [`action:${signal.action}`]),
  ];
  return JSON.stringify(parts);
}

/** One-shot: no Hash object per request (a string is hashed as UTF-8). */
const sha256Hex = (text: string): string => hash('sha256', text, 'hex');
