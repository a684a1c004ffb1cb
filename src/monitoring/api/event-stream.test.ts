// Goal: the event stream formats events, beats every 15 s on the injected clock, never lets one client
// hold more than its buffer, and lets go of everything on close. Method: fake responses whose unsent
// byte count the test controls, and a FakeClock.
import { EventEmitter as NodeEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { EventEmitter } from '../../core/events.js';
import { EventStream } from './event-stream.js';
import type { StatusEvent } from './status-source.js';

class FakeResponse extends NodeEmitter {
  readonly chunks: string[] = [];
  writableLength = 0;
  /** When true, written bytes stay "unsent", as with a client that stopped reading. */
  stalled = false;
  ended = false;
  destroyed = false;
  statusCode = 0;

  writeHead(statusCode: number): this {
    this.statusCode = statusCode;
    return this;
  }
  write(text: string): boolean {
    this.chunks.push(text);
    if (this.stalled) this.writableLength += Buffer.byteLength(text);
    return !this.stalled;
  }
  end(): void {
    this.ended = true;
    this.emit('close');
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }
  get text(): string {
    return this.chunks.join('');
  }
}

function setup(options: { bufferBytesMax?: number; clientsMax?: number } = {}) {
  const clock = new FakeClock();
  const events = new EventEmitter<StatusEvent>();
  const stream = new EventStream({ events: events.addListener, clock, ...options });
  const drops: string[] = [];
  stream.onDrop(({ reason }) => drops.push(reason));
  const attach = () => {
    const response = new FakeResponse();
    stream.attach(response as unknown as ServerResponse, { type: 'status', data: { ok: true } });
    return response;
  };
  return { clock, events, stream, drops, attach };
}

describe('EventStream', () => {
  it('sends the first event, then each event as event/data lines', () => {
    const { events, attach } = setup();
    const client = attach();
    events.emit({ type: 'alert', data: { id: 'a1', title: 'line\nbreak' } });
    expect(client.statusCode).toBe(200);
    expect(client.text).toBe(
      'retry: 3000\n\nevent: status\ndata: {"ok":true}\n\nevent: alert\ndata: {"id":"a1","title":"line\\nbreak"}\n\n',
    );
  });

  it('does not stream an event whose type could break the framing', () => {
    const { events, attach } = setup();
    const client = attach();
    const before = client.chunks.length;
    events.emit({ type: 'alert\ndata: forged', data: 1 });
    events.emit({ type: '', data: 1 });
    expect(client.chunks.length).toBe(before);
  });

  it('sends a heartbeat comment every 15 s of the injected clock, and stops when no client is left', async () => {
    const { clock, attach } = setup();
    const client = attach();
    await clock.advance(14_999);
    expect(client.text).not.toContain(': heartbeat');
    await clock.advance(1);
    expect(client.text.match(/: heartbeat/g)).toHaveLength(1);
    await clock.advance(15_000);
    expect(client.text.match(/: heartbeat/g)).toHaveLength(2);
    client.emit('close');
    expect(clock.pendingTimerCount).toBe(0);
  });

  it('drops a client whose unsent bytes would pass the buffer limit, and keeps the others', () => {
    const { events, stream, drops, attach } = setup({ bufferBytesMax: 1_000 });
    const slow = attach();
    const fast = attach();
    slow.stalled = true;
    const data = 'x'.repeat(300);
    for (let i = 0; i < 10; i++) events.emit({ type: 'order', data });
    expect(slow.destroyed).toBe(true);
    expect(slow.writableLength).toBeLessThanOrEqual(1_000);
    expect(drops).toEqual(['slow']);
    expect(stream.clientCount).toBe(1);
    expect(fast.text.match(/event: order/g)).toHaveLength(10);
  });

  it('forgets a client that closed', () => {
    const { stream, drops, attach } = setup();
    attach().emit('close');
    expect(stream.clientCount).toBe(0);
    expect(drops).toEqual(['closed']);
  });

  it('refuses clients past the limit', () => {
    const { stream, attach } = setup({ clientsMax: 1 });
    attach();
    expect(stream.full).toBe(true);
    expect(() => attach()).toThrow(/refuses a client/);
  });

  it('on close ends every stream, stops the heartbeat and unsubscribes', () => {
    const { clock, events, stream, attach } = setup();
    const client = attach();
    expect(events.size).toBe(1);
    stream.close();
    expect(client.ended).toBe(true);
    expect(events.size).toBe(0);
    expect(clock.pendingTimerCount).toBe(0);
    expect(stream.clientCount).toBe(0);
  });

  it('validates its limits', () => {
    const events = new EventEmitter<StatusEvent>();
    expect(() => new EventStream({ events: events.addListener, bufferBytesMax: 0 })).toThrow(
      'bufferBytesMax must be a positive integer, was 0',
    );
    expect(() => new EventStream({ events: events.addListener, heartbeatMs: 1.5 })).toThrow(/was 1.5/);
  });
});
