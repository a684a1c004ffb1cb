// Goal: a sender that trickles its body is cut off after readTimeoutMs with 408, nothing is stored,
// and a valid alert sent while it hangs is stored once. Method: a real loopback server on port 0,
// a raw socket that sends half a body; the fake clock is advanced only once the read has started.
import { connect, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alert, createFixture, type Fixture, signalRows } from './webhook-fixture.js';

let fixture: Fixture;
let port: number;
const sockets: Socket[] = [];

beforeEach(async () => {
  fixture = await createFixture({ readTimeoutMs: 1_500 });
  await fixture.app.listen({ host: '127.0.0.1', port: 0 });
  const address = fixture.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  port = address.port;
});
afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.length = 0;
  await fixture.close();
});

/** Opens a socket and collects everything the server sends until it closes the connection. */
function openRaw(): { socket: Socket; closed: Promise<string> } {
  const socket = connect({ host: '127.0.0.1', port });
  sockets.push(socket);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const closed = new Promise<string>((resolve) =>
    socket.on('close', () => resolve(Buffer.concat(chunks).toString())),
  );
  return { socket, closed };
}

function request(body: string, declaredBytes = Buffer.byteLength(body)): string {
  return [
    'POST /webhooks/tradingview HTTP/1.1',
    'Host: 127.0.0.1',
    'Content-Type: application/json',
    `Content-Length: ${declaredBytes}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/** Tiny real waits on loopback I/O until the server has armed its read timer. */
async function untilReadStarted(): Promise<void> {
  for (let index = 0; index < 500 && fixture.clock.pendingTimerCount === 0; index++)
    await new Promise((resolve) => setTimeout(resolve, 2));
  expect(fixture.clock.pendingTimerCount).toBeGreaterThan(0);
}

describe('slow body', () => {
  it('answers 408 after readTimeoutMs, closes the connection and stores nothing', async () => {
    const body = alert();
    const slow = openRaw();
    slow.socket.write(request(body.slice(0, 20), Buffer.byteLength(body)));
    await untilReadStarted();
    await fixture.clock.advance(1_499);
    expect(fixture.events).toEqual(['received']);
    await fixture.clock.advance(1);
    const answer = await slow.closed;
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain(
      '{"error":"request timeout","message":"the body did not arrive within 1500 ms"}',
    );
    expect(fixture.events).toEqual(['received', 'rejected:timeout']);
    expect(await signalRows(fixture)).toHaveLength(0);
  });

  it('stores a valid alert sent while a slow one hangs, exactly once', async () => {
    const slow = openRaw();
    slow.socket.write(request(alert({ id: 'slow' }).slice(0, 10), 400));
    await untilReadStarted();
    const valid = alert({ id: 'fast' });
    const fast = openRaw();
    fast.socket.write(request(valid));
    expect(await fast.closed).toMatch(/^HTTP\/1\.1 202 /);
    await fixture.clock.advance(1_500);
    expect(await slow.closed).toMatch(/^HTTP\/1\.1 408 /);
    const again = openRaw();
    again.socket.write(request(valid));
    expect(await again.closed).toMatch(/^HTTP\/1\.1 200 [\s\S]*"status":"duplicate"/);
    const rows = await signalRows(fixture);
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]!.payload).clientId).toBe('fast');
  });
});
