// Goal: a body is read whole within its size cap and deadline, and every way it can fail ends the
// read once, with its timer cleared and its listeners gone. Method: a PassThrough and a fake clock.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import { BodyReadError, BodyReadTimeoutError, BodyTooLargeError } from './errors.js';
import { readBody } from './read-body.js';

const setup = (declaredLength?: string) => {
  const clock = new FakeClock();
  const stream = new PassThrough();
  const body = readBody(stream, { sizeBytesMax: 10, timeoutMs: 1_000, clock, declaredLength });
  body.catch(() => undefined);
  return { clock, stream, body };
};

const expectReleased = (clock: FakeClock, stream: PassThrough) => {
  expect(clock.pendingTimerCount).toBe(0);
  for (const event of ['data', 'end', 'error', 'close']) expect(stream.listenerCount(event)).toBe(0);
};

describe('readBody', () => {
  it('hands on one chunk as it is, and joins several', async () => {
    const one = setup();
    const chunk = Buffer.from('{"a":1}');
    one.stream.end(chunk);
    expect(await one.body).toBe(chunk);
    expectReleased(one.clock, one.stream);
    const several = setup();
    several.stream.write('ab');
    several.stream.end('cd');
    expect((await several.body).toString()).toBe('abcd');
    expectReleased(several.clock, several.stream);
  });

  it('refuses a declared or an actual size above the cap', async () => {
    await expect(setup('11').body).rejects.toBeInstanceOf(BodyTooLargeError);
    const streamed = setup();
    streamed.stream.write('123456');
    streamed.stream.write('123456');
    await expect(streamed.body).rejects.toBeInstanceOf(BodyTooLargeError);
    expectReleased(streamed.clock, streamed.stream);
  });

  it('gives up on a body slower than timeoutMs', async () => {
    const { clock, stream, body } = setup();
    stream.write('12');
    await clock.advance(999);
    await clock.advance(1);
    await expect(body).rejects.toBeInstanceOf(BodyReadTimeoutError);
    expectReleased(clock, stream);
  });

  it('fails on a stream error or an early close, once', async () => {
    const failed = setup();
    failed.stream.destroy(new Error('reset'));
    await expect(failed.body).rejects.toBeInstanceOf(BodyReadError);
    expectReleased(failed.clock, failed.stream);
    const closed = setup();
    closed.stream.destroy();
    await expect(closed.body).rejects.toThrow(/closed before the body was complete/);
    expectReleased(closed.clock, closed.stream);
  });
});
