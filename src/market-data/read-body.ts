// Reads a request body with a size cap and a deadline. TradingView gives up after 3 s, so a body
// that trickles in slower than readTimeoutMs is a broken or hostile sender: cut it off.
import type { Readable } from 'node:stream';
import type { Clock, TimerHandle } from '../core/clock.js';
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
    const read = new BodyRead(stream, options, resolve, reject);
    (stream as ReadingStream)[READ] = read;
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    stream.once('close', onClose);
  });
}

const READ = Symbol('keel.bodyRead');
type ReadingStream = Readable & { [READ]?: BodyRead | undefined };

// One set of listeners for every stream (each finds its read on the stream), not four closures a request.
function onData(this: ReadingStream, chunk: Buffer | string): void {
  this[READ]?.data(chunk);
}
function onEnd(this: ReadingStream): void {
  this[READ]?.finish(undefined);
}
function onError(this: ReadingStream, error: Error): void {
  this[READ]?.finish(new BodyReadError('the request body could not be read', { cause: error }));
}
function onClose(this: ReadingStream): void {
  this[READ]?.finish(new BodyReadError('the connection closed before the body was complete'));
}

/** One body being read: its chunks so far and its deadline. */
class BodyRead {
  readonly #chunks: Buffer[] = [];
  #sizeBytes = 0;
  readonly #timer: TimerHandle;

  constructor(
    readonly stream: ReadingStream,
    readonly options: ReadBodyOptions,
    readonly resolve: (body: Buffer) => void,
    readonly reject: (error: Error) => void,
  ) {
    this.#timer = options.clock.setTimeout(
      () => this.finish(new BodyReadTimeoutError(`the body did not arrive within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
  }

  data(chunk: Buffer | string): void {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    this.#sizeBytes += buffer.length;
    if (this.#sizeBytes > this.options.sizeBytesMax) this.finish(tooLarge(this.options.sizeBytesMax));
    else this.#chunks.push(buffer);
  }

  finish(error: Error | undefined): void {
    const stream = this.stream;
    if (stream[READ] !== this) return;
    stream[READ] = undefined;
    this.options.clock.clearTimeout(this.#timer);
    stream.off('data', onData);
    stream.off('end', onEnd);
    stream.off('error', onError);
    stream.off('close', onClose);
    if (error !== undefined) {
      stream.pause();
      this.reject(error);
      return;
    }
    // An alert arrives in one chunk: hand that on instead of copying it into a new buffer.
    const chunks = this.#chunks;
    this.resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, this.#sizeBytes));
  }
}

const tooLarge = (sizeBytesMax: number): BodyTooLargeError =>
  new BodyTooLargeError(`the body is larger than the limit of ${sizeBytesMax} bytes`);
