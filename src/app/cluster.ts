// Scale-out wiring: with PostgreSQL and/or Redis configured, the trading lease that decides which
// instance executes, and Redis-shared rate budgets and breaker states. With neither, this instance
// leads alone with no lease (the single-machine default).
import type { Redis } from 'ioredis';
import type { KeelConfig } from '../config/index.js';
import type { Clock } from '../core/clock.js';
import type { BreakerFactory } from '../exchange/enhanced-nobitex-adapter/call-pipeline.js';
import type { Logger } from '../logging/logger.js';
import type { Database } from '../storage/database.js';
import type { LeaderLease } from '../storage/leadership/leader-lease.js';
import { PostgresLeaderLease } from '../storage/leadership/postgres-leader-lease.js';
import { RedisLeaderLease } from '../storage/leadership/redis-leader-lease.js';
import type { SharedMode } from '../storage/redis/redis-availability.js';
import { createRedisClient, REDIS_CLIENT_DEFAULTS, whenReady } from '../storage/redis/redis-client.js';
import { RedisRateLimitStore } from '../storage/redis/redis-rate-limit-store.js';
import { SharedBreakerState } from '../storage/redis/shared-breaker-state.js';

/** The lease row or key name: one trading scope per database or key prefix. */
const LEASE_NAME = 'trading';

/** GET /api/cluster: who leads and how shared state is doing on this instance. */
export interface ClusterView {
  readonly instanceId: string;
  /** 'postgres' | 'redis' lease, or 'none' (single machine: always the leader). */
  readonly lease: 'postgres' | 'redis' | 'none';
  readonly leader: boolean;
  /** The instance holding an unexpired lease, if any. */
  readonly leaderId: string | null;
  readonly token: number;
  /** Absent without Redis. */
  readonly rateLimits: SharedMode | null;
  readonly breakers: SharedMode | null;
}

export interface Cluster {
  readonly lease: LeaderLease | undefined;
  readonly rateLimitStore: RedisRateLimitStore | undefined;
  readonly breakerFactory: BreakerFactory | undefined;
  /** Subscribes to shared breaker decisions; call once the adapter (and its breakers) exist. */
  start(): Promise<void>;
  /** The live lease holder's instance id, read from the store; null when none. */
  leaderId(): Promise<string | null>;
  view(): Promise<ClusterView>;
  close(): Promise<void>;
}

/** The lease's timing and the shared stores' address, from the cluster and redis settings. */
export function clusterSettings(config: KeelConfig) {
  const { cluster, redis } = config;
  return {
    instanceId: cluster.instanceId,
    lease: { ttlMs: cluster.leaseTtlMs, renewIntervalMs: cluster.leaseRenewIntervalMs },
    expectedInstances: cluster.expectedInstances,
    keyPrefix: redis.keyPrefix,
    redisUrl: redis.url?.reveal(),
  };
}

export async function createCluster(options: {
  config: KeelConfig;
  db: Database;
  clock: Clock;
  logger: Logger;
}): Promise<Cluster> {
  const { config, db, clock, logger } = options;
  const settings = clusterSettings(config);
  const { instanceId, keyPrefix, redisUrl } = settings;
  const timing = { instanceId, ...settings.lease, clock, logger };
  const client = redisUrl === undefined ? undefined : createRedisClient({ url: redisUrl });
  const subscriber = client?.duplicate();
  subscriber?.on('error', () => undefined);
  let lease: LeaderLease | undefined;
  let leaseKind: ClusterView['lease'] = 'none';
  if (db.dialect === 'postgres') {
    await db.migrate(PostgresLeaderLease.migrations);
    lease = new PostgresLeaderLease({ ...timing, db, name: LEASE_NAME });
    leaseKind = 'postgres';
  } else if (client !== undefined) {
    lease = new RedisLeaderLease({ ...timing, client, keyPrefix, name: LEASE_NAME });
    leaseKind = 'redis';
  }
  const rateLimitStore =
    client === undefined
      ? undefined
      : new RedisRateLimitStore({
          client,
          keyPrefix,
          expectedInstances: settings.expectedInstances,
          clock,
          logger,
        });
  const breakerState =
    client === undefined || subscriber === undefined
      ? undefined
      : new SharedBreakerState({ client, subscriber, instanceId, keyPrefix, clock, logger });
  const leaderId = async (): Promise<string | null> => {
    if (leaseKind === 'postgres') return readSqlLeader(db, clock.nowMs());
    if (leaseKind === 'redis' && client !== undefined)
      return readRedisLeader(client, `${keyPrefix}lease:${LEASE_NAME}`);
    return instanceId;
  };
  return {
    lease,
    rateLimitStore,
    breakerFactory:
      breakerState === undefined ? undefined : (group, breaker) => breakerState.attach(group, breaker),
    async start() {
      if (client !== undefined && subscriber !== undefined)
        await Promise.all(
          [client, subscriber].map((c) => whenReady(c, REDIS_CLIENT_DEFAULTS.connectTimeoutMs, clock)),
        );
      await breakerState?.start();
    },
    leaderId,
    async view() {
      return {
        instanceId,
        lease: leaseKind,
        leader: lease?.isLeader ?? true,
        leaderId: await leaderId().catch(() => null),
        token: lease?.token ?? 0,
        rateLimits: rateLimitStore?.mode ?? null,
        breakers: breakerState?.mode ?? null,
      };
    },
    async close() {
      await breakerState?.close();
      subscriber?.disconnect();
      client?.disconnect();
    },
  };
}

async function readSqlLeader(db: Database, nowMs: number): Promise<string | null> {
  const [row] = await db.query<{ holder: string; expires_at_ms: number }>(
    'SELECT holder, expires_at_ms FROM trading_lease WHERE name = ?',
    [LEASE_NAME],
  );
  if (row === undefined || row.holder === '' || Number(row.expires_at_ms) <= nowMs) return null;
  return row.holder;
}

/** The key holds `<instanceId>|<token>` and expires with the lease. */
async function readRedisLeader(client: Redis, key: string): Promise<string | null> {
  const value = await client.get(key);
  if (value === null) return null;
  const bar = value.lastIndexOf('|');
  return bar < 0 ? value : value.slice(0, bar);
}
