// Goal: losing Redis mid-run does not stop trading: instances fall back to their local share of the
// rate budgets (mode 'local') and orders still fill; when Redis returns they share again ('shared').
// Method: a private redis-server on a free loopback port, two `keel start` child processes on one
// PostgreSQL schema and one external simulator; the server is shut down and restarted mid-run.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulatorServer } from '../../src/exchange/simulator/index.js';
import { PostgresDatabase } from '../../src/storage/postgres-database.js';
import {
  type ClusterViewJson,
  clusterView,
  dropSchema,
  freshSchema,
  type Instance,
  reportUnreachable,
  runCleanup,
  sendSignal,
  startInstance,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  unreachableServices,
  waitFor,
} from './cluster-harness.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(() => runCleanup(cleanup));

describe('cluster without Redis for a while', () => {
  it('keeps trading on local shares while Redis is down and shares again when it returns', async () => {
    const unreachable = await unreachableServices(TEST_REDIS_URL);
    if (unreachable !== undefined) return reportUnreachable(unreachable);
    const missing = missingRedisServer();
    if (missing !== undefined) return reportUnreachable(missing);
    const port = await freePort();
    const redisDir = mkdtempSync(join(tmpdir(), 'keel-redis-'));
    const redis = new PrivateRedis(port, redisDir);
    redis.start();
    cleanup.push(async () => {
      redis.stop();
      rmSync(redisDir, { recursive: true, force: true });
    });
    const simulator = await startSimulatorServer({ port: 0, seed: 4_242 });
    cleanup.push(() => simulator.close());
    const schema = freshSchema();
    cleanup.push(() => dropSchema(schema));
    const db = new PostgresDatabase({ url: TEST_DATABASE_URL, schema, poolSize: 2 });
    cleanup.push(() => db.close());
    const settings = {
      simulatorUrl: simulator.url,
      schema,
      redisUrl: `redis://127.0.0.1:${port}`,
      keyPrefix: `keel:test:${randomUUID()}:`,
      leaseTtlMs: 3_000,
      leaseRenewIntervalMs: 1_000,
      expectedInstances: 2,
    };
    const instances = await Promise.all(
      ['east', 'west'].map((id) => startInstance({ ...settings, id }, cleanup)),
    );
    const leader = await waitFor('a leader', () => soleLeader(instances), 20_000);
    let sent = 0;
    const sendBatch = async (count: number) => {
      for (let i = 0; i < count; i++, sent++) {
        const target = instances[sent % instances.length] as Instance;
        const amount = `0.001${String(sent).padStart(2, '0')}`; // distinct: no DuplicateOrder
        expect(await sendSignal(target, { id: `r-${sent}`, symbol: 'BTCIRT', side: 'buy', amount })).toBe(
          202,
        );
      }
      await waitFor(`${sent} signals executed`, () => allExecuted(db, sent), 20_000, 200);
    };

    await sendBatch(3);
    // A command that times out on a loaded machine moves a component to local until its next health
    // check (5 s); both must be shared well before Redis goes away.
    await waitFor(
      'shared mode at the start',
      async () => {
        const view = await modes(leader);
        return view.rateLimits === 'shared' && view.breakers === 'shared' ? view : undefined;
      },
      15_000,
      250,
    );
    expect(redis.keyCount(settings.keyPrefix)).toBeGreaterThan(0); // budgets live in Redis

    redis.stop();
    await sendBatch(3); // orders still fill on the local share
    await waitFor(
      'local mode on the leader',
      async () => ((await clusterView(leader)).rateLimits === 'local' ? true : undefined),
      10_000,
    );
    expect((await modes(leader)).breakers).toBe('local');

    redis.start();
    await waitFor(
      'shared mode again',
      async () => {
        const view = await modes(leader);
        return view.rateLimits === 'shared' && view.breakers === 'shared' ? view : undefined;
      },
      20_000,
      250,
    );
    await sendBatch(2);
    expect(redis.keyCount(settings.keyPrefix)).toBeGreaterThan(0); // spending goes to Redis again
    expect(simulator.simulator.groundTruthOrders()).toHaveLength(sent);
  }, 90_000);
});

class PrivateRedis {
  constructor(
    private readonly port: number,
    private readonly dir: string,
  ) {}

  start(): void {
    execFileSync('redis-server', [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      this.dir,
      '--daemonize',
      'yes',
    ]);
    for (let i = 0; i < 50 && !this.#answers(); i++) execFileSync('sleep', ['0.1']);
  }

  stop(): void {
    try {
      execFileSync('redis-cli', ['-p', String(this.port), 'shutdown', 'nosave'], { stdio: 'ignore' });
    } catch {
      // already down
    }
  }

  keyCount(prefix: string): number {
    const out = execFileSync('redis-cli', ['-p', String(this.port), '--scan', '--pattern', `${prefix}*`], {
      encoding: 'utf8',
    });
    return out.split('\n').filter((line) => line.length > 0).length;
  }

  #answers(): boolean {
    try {
      return (
        execFileSync('redis-cli', ['-p', String(this.port), 'ping'], { encoding: 'utf8' }).trim() === 'PONG'
      );
    } catch {
      return false;
    }
  }
}

function missingRedisServer(): string | undefined {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    execFileSync('redis-cli', ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch (error) {
    return `redis-server/redis-cli not runnable: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function modes(instance: Instance): Promise<Pick<ClusterViewJson, 'rateLimits' | 'breakers'>> {
  const { rateLimits, breakers } = await clusterView(instance);
  return { rateLimits, breakers };
}

async function allExecuted(db: PostgresDatabase, count: number): Promise<true | undefined> {
  const rows = await db.query<{ state: string }>('SELECT state FROM signals');
  if (rows.some((row) => row.state === 'rejected' || row.state === 'quarantined'))
    throw new Error(`a signal did not execute: ${JSON.stringify(rows)}`);
  return rows.length === count && rows.every((row) => row.state === 'executed') ? true : undefined;
}

async function soleLeader(instances: readonly Instance[]): Promise<Instance | undefined> {
  const views = await Promise.all(instances.map((instance) => clusterView(instance)));
  const leaders = instances.filter((_instance, index) => views[index]?.leader === true);
  return leaders.length === 1 ? leaders[0] : undefined;
}
