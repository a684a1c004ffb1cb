// Real proxies on 127.0.0.1 for tests: an HTTP proxy (CONNECT tunnels) and a SOCKS5 proxy (RFC 1928,
// with optional username/password, RFC 1929). Each records the targets it was asked for, and can
// require credentials, so a test proves the traffic went through it and with what.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';

export interface ProxyVisit {
  /** `host:port` the client asked to reach. */
  readonly target: string;
  /** The user the client authenticated as, if any. */
  readonly user: string | null;
}

export interface TestProxy {
  /** The proxy URL, credentials included when required. */
  readonly url: string;
  readonly visits: ProxyVisit[];
  /** Refused attempts (wrong or missing credentials). */
  readonly refusals: number;
  close(): Promise<void>;
}

interface Credentials {
  readonly user: string;
  readonly password: string;
}

/** An HTTP proxy that answers CONNECT with a tunnel; 407 without the right Proxy-Authorization. */
export async function startHttpProxy(credentials?: Credentials): Promise<TestProxy> {
  const visits: ProxyVisit[] = [];
  const sockets = new Set<Socket>();
  let refusals = 0;
  const server: HttpServer = createHttpServer((_request, response) => {
    response.writeHead(405).end('CONNECT only');
  });
  server.on('connect', (request, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    const user = basicUser(request.headers['proxy-authorization'], credentials);
    if (credentials !== undefined && user === null) {
      refusals += 1;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n');
      return;
    }
    const target = request.url ?? '';
    visits.push({ target, user });
    const [host, port] = splitTarget(target);
    const upstream = connect(port, host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    track(upstream, sockets);
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
  });
  const port = await listen(server);
  const auth = credentials === undefined ? '' : `${credentials.user}:${credentials.password}@`;
  return {
    url: `http://${auth}127.0.0.1:${port}`,
    visits,
    get refusals() {
      return refusals;
    },
    close: () => closeAll(server, sockets),
  };
}

/** A SOCKS5 proxy: CONNECT only, IPv4 and domain targets, no auth or username/password. */
export async function startSocksProxy(credentials?: Credentials): Promise<TestProxy> {
  const visits: ProxyVisit[] = [];
  const sockets = new Set<Socket>();
  let refusals = 0;
  const server = createServer((client) => {
    track(client, sockets);
    void socksSession(client, credentials, sockets)
      .then((visit) => {
        if (visit === 'refused') refusals += 1;
        else if (visit !== undefined) visits.push(visit);
      })
      .catch(() => client.destroy());
  });
  const port = await listen(server);
  const auth = credentials === undefined ? '' : `${credentials.user}:${credentials.password}@`;
  return {
    url: `socks5://${auth}127.0.0.1:${port}`,
    visits,
    get refusals() {
      return refusals;
    },
    close: () => closeAll(server, sockets),
  };
}

async function socksSession(
  client: Socket,
  credentials: Credentials | undefined,
  sockets: Set<Socket>,
): Promise<ProxyVisit | 'refused' | undefined> {
  const read = byteReader(client);
  const [version, methodCount] = await read(2);
  if (version !== 5) return undefined;
  const methods = [...(await read(methodCount ?? 0))];
  const method = credentials === undefined ? 0 : 2;
  if (!methods.includes(method)) {
    client.end(Buffer.from([5, 0xff]));
    return 'refused';
  }
  client.write(Buffer.from([5, method]));
  let user: string | null = null;
  if (credentials !== undefined) {
    const [, userLength] = await read(2);
    const name = (await read(userLength ?? 0)).toString();
    const [passwordLength] = await read(1);
    const password = (await read(passwordLength ?? 0)).toString();
    if (name !== credentials.user || password !== credentials.password) {
      client.end(Buffer.from([1, 1]));
      return 'refused';
    }
    client.write(Buffer.from([1, 0]));
    user = name;
  }
  const [, command, , addressType] = await read(4);
  const host =
    addressType === 1
      ? [...(await read(4))].join('.')
      : addressType === 3
        ? (await read((await read(1))[0] ?? 0)).toString()
        : undefined;
  const portBytes = await read(2);
  const port = portBytes.readUInt16BE(0);
  if (command !== 1 || host === undefined) {
    client.end(Buffer.from([5, 7, 0, 1, 0, 0, 0, 0, 0, 0]));
    return undefined;
  }
  const upstream = connect(port, host);
  track(upstream, sockets);
  await new Promise<void>((resolve, reject) => {
    upstream.once('connect', resolve);
    upstream.once('error', reject);
  }).catch(() => {
    client.end(Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0]));
    throw new Error('upstream refused');
  });
  client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
  const rest = read.rest();
  if (rest.length > 0) upstream.write(rest);
  upstream.pipe(client);
  client.pipe(upstream);
  return { target: `${host}:${port}`, user };
}

/** Reads exact byte counts from a socket; rest() hands back what arrived beyond and stops reading. */
function byteReader(socket: Socket) {
  let buffered = Buffer.alloc(0);
  let waiting: (() => void) | undefined;
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    waiting?.();
  };
  socket.on('data', onData);
  const read = async (count: number): Promise<Buffer> => {
    while (buffered.length < count) {
      if (socket.destroyed) throw new Error('socket closed');
      await new Promise<void>((resolve) => {
        waiting = resolve;
        socket.once('close', resolve);
      });
      waiting = undefined;
    }
    const out = buffered.subarray(0, count);
    buffered = buffered.subarray(count);
    return out;
  };
  read.rest = (): Buffer => {
    socket.off('data', onData);
    return buffered;
  };
  return read;
}

function basicUser(header: string | undefined, credentials: Credentials | undefined): string | null {
  if (credentials === undefined) return null;
  const expected = `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}`;
  return header === expected ? credentials.user : null;
}

function splitTarget(target: string): [string, number] {
  const index = target.lastIndexOf(':');
  return [target.slice(0, index).replace(/^\[|\]$/g, ''), Number(target.slice(index + 1))];
}

function track(socket: Socket, sockets: Set<Socket>): void {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  socket.on('error', () => socket.destroy());
}

async function listen(server: Server | HttpServer): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

async function closeAll(server: Server | HttpServer, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
