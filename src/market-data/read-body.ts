// Reads a request body with a size cap and a deadline. TradingView gives up after 3 s, so a body
// that trickles in slower than readTimeoutMs is a broken or hostile sender: cut it off.
import type { Readable } from 'node:stream';
import type { Clock } from '../core/clock.js';
import { BodyReadError, BodyReadTimeoutError, BodyTooLargeError } from './errors.js';

export interface ReadBodyOptions {
  /** Largest body accepted, bytes. */
  readonly sizeBytesMax: number;
  /** Time allowed for the whole body, ms, from the start of reading. */
  readonly timeoutMs: number;
  readonly clock: Clock;
  /** The Content-Length header, if any: an oversized declaration is refused before reading. */
  readonly declaredLength?: string | undefined;
}

export function readBody(stream: Readable, options: ReadBodyOptions): Promise<Buffer> {
  const declaredBytes = options.declaredLength === undefined ? undefined : Number(options.declaredLength);
  if (declaredBytes !== undefined && declaredBytes > options.sizeBytesMax)
    return Promise.reject(tooLarge(options.sizeBytesMax));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let sizeBytes = 0;
    const finish = (error: Error | undefined) => {
      options.clock.clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
      // An alert arrives in one chunk: hand that on instead of copying it into a new buffer.
      if (error === undefined)
        resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, sizeBytes));
      else {
        stream.pause();
        reject(error);
      }
    };
    const onData = (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      sizeBytes += buffer.length;
      if (sizeBytes > options.sizeBytesMax) finish(tooLarge(options.sizeBytesMax));
      else chunks.push(buffer);
    };
    const onEnd = () => finish(undefined);
    const onError = (error: Error) =>
      finish(new BodyReadError('the request body could not be read', { cause: error }));
    const onClose = () => finish(new BodyReadError('the connection closed before the body was complete'));
    const timer = options.clock.setTimeout(
      () => finish(new BodyReadTimeoutError(`the body did not arrive within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    stream.once('close', onClose);
  });
}

const tooLarge = (sizeBytesMax: number): BodyTooLargeError =>
  new BodyTooLargeError(`the body is larger than the limit of ${sizeBytesMax} bytes`);
