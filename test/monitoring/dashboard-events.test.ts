// Goal: GET /api/events streams an initial status snapshot, then pushed events, beats on the injected
// clock, drops a client that stops reading, and lets go of it on close. Method: a real loopback server
// (the socket matters here) with a FakeStatusSource and a FakeClock.
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDashboardApp, type DashboardFixture } from './dashboard-fixture.js';

let fixture: DashboardFixture;
let port: number;
const closers: (() => void)[] = [];

beforeEach(async () => {
  fixture = await createDashboardApp({ stream: { bufferBytesMax: 65_536 } });
  await fixture.app.listen({ host: '127.0.0.1', port: 0 });
  port = (fixture.app.server.address() as AddressInfo).port;
});
afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await fixture.app.close();
});

interface Reader {
  text: string;
  statusCode: number;
  contentType: string | undefined;
  closed: boolean;
}

function openStream(path = '/api/events'): Reader {
  const reader: Reader = { text: '', statusCode: 0, contentType: undefined, closed: false };
  const req = request(
    { host: '127.0.0.1', port, path, headers: { accept: 'text/event-stream' } },
    (response) => {
      reader.statusCode = response.statusCode ?? 0;
      reader.contentType = response.headers['content-type'];
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        reader.text += chunk;
      });
      response.on('close', () => {
        reader.closed = true;
      });
    },
  );
  req.on('error', () => {
    reader.closed = true;
  });
  req.end();
  closers.push(() => req.destroy());
  return reader;
}

/** Waits on real loopback I/O, bounded: 200 short waits at most. */
async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

function events(text: string): { type: string; data: unknown }[] {
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('event: '))
    .map((block) => {
      const [typeLine = '', dataLine = ''] = block.split('\n');
      return { type: typeLine.slice('event: '.length), data: JSON.parse(dataLine.slice('data: '.length)) };
    });
}

describe('GET /api/events', () => {
  it('sends the status snapshot first, then a pushed event', async () => {
    fixture.source.setBreaker('orders', 'open');
    const reader = openStream();
    await waitFor(() => events(reader.text).length === 1, 'the snapshot');
    expect(reader.statusCode).toBe(200);
    expect(reader.contentType).toBe('text/event-stream; charset=utf-8');
    const [snapshot] = events(reader.text);
    expect(snapshot?.type).toBe('status');
    expect(snapshot?.data).toMatchObject({ breakers: [{ name: 'orders', state: 'open' }] });

    const alert = fixture.source.raiseAlert({
      severity: 'critical',
      source: 'exchange',
      key: 'k',
      title: 'Down',
    });
    fixture.source.emit({ type: 'alert', data: alert });
    await waitFor(() => events(reader.text).length === 2, 'the pushed event');
    expect(events(reader.text)[1]).toEqual({ type: 'alert', data: alert });
  });

  it('sends a heartbeat comment after 15 s of the injected clock', async () => {
    const reader = openStream();
    await waitFor(() => events(reader.text).length === 1, 'the snapshot');
    expect(reader.text).not.toContain(': heartbeat');
    await fixture.clock.advance(15_000);
    await waitFor(() => reader.text.includes(': heartbeat'), 'a heartbeat');
  });

  it('forgets a client that disconnects', async () => {
    const reader = openStream();
    await waitFor(() => fixture.stream?.clientCount === 1, 'the client');
    for (const close of closers.splice(0)) close();
    await waitFor(() => fixture.stream?.clientCount === 0, 'the client to be forgotten');
    expect(reader.closed).toBe(true);
    expect(fixture.source.listenerCount).toBe(1);
  });

  it('drops a client that stops reading, and keeps serving new ones', async () => {
    const drops: string[] = [];
    fixture.stream?.onDrop(({ reason }) => drops.push(reason));
    const socket: Socket = connect({ host: '127.0.0.1', port });
    closers.push(() => socket.destroy());
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(`GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    await waitFor(() => fixture.stream?.clientCount === 1, 'the slow client');
    socket.pause();
    // 16 KiB events until the kernel's socket buffers are full and ours passes 64 KiB: bounded at 64 MiB.
    const data = 'x'.repeat(16_384);
    for (let i = 0; i < 4_096 && drops.length === 0; i++) {
      fixture.source.emit({ type: 'order', data });
      if (i % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(drops).toEqual(['slow']);
    expect(fixture.stream?.clientCount).toBe(0);

    const reader = openStream();
    await waitFor(() => events(reader.text).length === 1, 'a new client');
  });

  it('ends open streams when the server closes, and unsubscribes from the source', async () => {
    const reader = openStream();
    await waitFor(() => events(reader.text).length === 1, 'the snapshot');
    await fixture.app.close();
    await waitFor(() => reader.closed, 'the stream to end');
    expect(fixture.source.listenerCount).toBe(0);
  });
});
