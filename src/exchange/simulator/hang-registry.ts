// Connections the chaos layer left hanging, and how to drop a connection. Hung connections are
// dropped on close, so no test leaks one and the server can stop. Under app.inject() there is no
// real socket: dropping destroys the mock response, which makes inject() reject like a reset.
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Hung connections held at once; beyond this a hang turns into a reset. */
export const HUNG_CONNECTIONS_MAX = 10_000;

type ResettableSocket = Socket & { resetAndDestroy?: () => void };

function realSocket(request: FastifyRequest): ResettableSocket | undefined {
  const socket = request.raw.socket as ResettableSocket | undefined;
  return typeof socket?.destroy === 'function' ? socket : undefined;
}

/** Drops the connection: a TCP RST where supported, like a proxy dying mid-request. */
export function dropConnection(request: FastifyRequest, reply: FastifyReply): void {
  const socket = realSocket(request);
  if (socket === undefined) reply.raw.destroy(new Error('connection reset by the simulator'));
  else if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

export class HangRegistry {
  readonly #held = new Map<object, () => void>();

  /** Keeps the connection open without answering. Settles when released or when the peer goes away. */
  hold(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (this.#held.size >= HUNG_CONNECTIONS_MAX) {
      dropConnection(request, reply);
      return Promise.resolve();
    }
    const socket = realSocket(request);
    const key: object = socket ?? reply.raw;
    return new Promise<void>((resolve) => {
      const release = () => {
        if (!this.#held.delete(key)) return;
        resolve();
      };
      this.#held.set(key, () => {
        dropConnection(request, reply);
        release();
      });
      socket?.once('close', release);
    });
  }

  get size(): number {
    return this.#held.size;
  }

  releaseAll(): void {
    for (const drop of [...this.#held.values()]) drop();
  }
}
