// The idempotency key of a signal. TradingView may re-send and alerts may re-fire; the store's
// UNIQUE(dedup_key) turns a second copy into "duplicate" instead of a second order.
import { hash } from 'node:crypto';
import type { Signal } from './signal.js';

/**
 * `id:<sha256>` of the sender's explicit id when there is one, else `signal:<sha256>` of what the
 * signal asks for (symbol, side, size, order, strategy) and when it fired. Decimals are canonical
 * text, so `0.010` and `0.01` give the same key. An alert without a time gets its received time,
 * so a retry of such an alert is not recognised: templates should send `{{timenow}}`.
 */
export function dedupKey(signal: Signal): string {
  if (signal.clientId !== undefined) return `id:${sha256(signal.clientId)}`;
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
  return `signal:${sha256(JSON.stringify(parts))}`;
}

/** One-shot: no Hash object per request (a string is hashed as UTF-8, the digest is hex). */
const sha256 = (text: string): string => hash('sha256', text, 'hex');
