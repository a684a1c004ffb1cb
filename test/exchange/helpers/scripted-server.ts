// A tiny scripted HTTP server on 127.0.0.1:0 for client and pool tests: each request is recorded
// and answered by the test's script (a body, a status, a hang, or a dropped socket).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export type ScriptedReply =
  | { readonly status?: number; readonly headers?: Record<string, string>; readonly body: string | object }
  /** Destroys the socket after reading the request: the request was sent, no answer comes. */
  | { readonly destroy: true }
  /** Never answers (until the server closes). */
  | { readonly hang: true };

export type Script = (request: RecordedRequest) => ScriptedReply | Promise<ScriptedReply>;

export interface ScriptedServer {
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  script: Script;
  close(): Promise<void>;
}

export async function startScriptedServer(script: Script, port = 0): Promise<ScriptedServer> {
  const sockets = new Set<Socket>();
  const requests: RecordedRequest[] = [];
  const state: { script: Script } = { script };
  const server: Server = createServer((req, res) => void handle(req, res, state, requests));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const assigned = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${assigned}`,
    port: assigned,
    requests,
    get script() {
      return state.script;
    },
    set script(next: Script) {
      state.script = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  state: { script: Script },
  requests: RecordedRequest[],
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const recorded = {
    method: req.method ?? '',
    path: req.url ?? '',
    headers: req.headers,
    body: Buffer.concat(chunks).toString('utf8'),
  };
  requests.push(recorded);
  const reply = await state.script(recorded);
  if ('destroy' in reply) {
    req.socket.destroy();
    return;
  }
  if ('hang' in reply) return;
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
  res.end(text);
}

/** An address on which nothing listens: bind port 0, read it, close. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
