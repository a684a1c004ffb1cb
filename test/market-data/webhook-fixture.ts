// Shared setup for the webhook tests: a fastify app with the plugin on an in-memory SQLite store,
// a fake clock, and recorders for the intake's events and log lines.
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { FakeClock } from '../../src/core/clock.js';
import { createRng } from '../../src/core/random.js';
import { SignalStore } from '../../src/market-data/signal-store.js';
import { TradingViewIntake } from '../../src/market-data/tradingview-intake.js';
import type { TradingViewIntakeOptions } from '../../src/market-data/tradingview-intake-options.js';
import { tradingViewWebhookPlugin } from '../../src/market-data/tradingview-webhook-handler.js';
import { SqliteDatabase } from '../../src/storage/sqlite-database.js';

export const PASSPHRASE = 'correct-horse-battery-staple';
/** 2026-01-01T12:00:00Z */
export const NOW_MS = Date.UTC(2026, 0, 1, 12, 0, 0);
export const NOW_ISO = '2026-01-01T12:00:00Z';

export interface Fixture {
  readonly app: FastifyInstance;
  readonly db: SqliteDatabase;
  readonly store: SignalStore;
  readonly clock: FakeClock;
  readonly intake: TradingViewIntake;
  readonly events: string[];
  readonly logLines: string[];
  accepting: boolean;
  close(): Promise<void>;
}

export async function createFixture(overrides: Partial<TradingViewIntakeOptions> = {}): Promise<Fixture> {
  const clock = new FakeClock(NOW_MS);
  const db = new SqliteDatabase({ path: ':memory:' });
  const store = new SignalStore({ db, clock, rng: createRng(7) });
  await store.migrate();
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      logLines.push(String(chunk));
      callback();
    },
  });
  const fixture: Fixture = {
    accepting: true,
    events: [],
    logLines,
    clock,
    db,
    store,
    app: Fastify({ logger: false }),
    intake: new TradingViewIntake({
      passphrase: { reveal: () => PASSPHRASE },
      store,
      clock,
      logger: pino({ level: 'debug' }, sink),
      isAccepting: () => fixture.accepting,
      ...overrides,
    }),
    close: async () => {
      await fixture.app.close();
      await db.close();
    },
  };
  fixture.intake.onReceived(() => fixture.events.push('received'));
  fixture.intake.onAccepted(() => fixture.events.push('accepted'));
  fixture.intake.onDuplicate(() => fixture.events.push('duplicate'));
  fixture.intake.onRejected(({ reason }) => fixture.events.push(`rejected:${reason}`));
  await fixture.app.register(tradingViewWebhookPlugin, { prefix: '/webhooks', intake: fixture.intake });
  await fixture.app.ready();
  return fixture;
}

/** A valid JSON alert; fields override or, with `undefined`, remove defaults. */
export function alert(fields: Record<string, unknown> = {}): string {
  const base: Record<string, unknown> = {
    passphrase: PASSPHRASE,
    symbol: 'BTCIRT',
    action: 'buy',
    amount: '0.01',
    strategy: 's1',
    timenow: NOW_ISO,
  };
  const merged = { ...base, ...fields };
  return JSON.stringify(
    Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined)),
  );
}

export interface PostOptions {
  readonly contentType?: string | undefined;
  readonly remoteAddress?: string;
  readonly headers?: Record<string, string>;
}

export async function post(fixture: Fixture, body: string, options: PostOptions = {}) {
  const contentType = 'contentType' in options ? options.contentType : 'application/json';
  const response = await fixture.app.inject({
    method: 'POST',
    url: '/webhooks/tradingview',
    payload: body,
    headers: { ...(contentType === undefined ? {} : { 'content-type': contentType }), ...options.headers },
    ...(options.remoteAddress === undefined ? {} : { remoteAddress: options.remoteAddress }),
  });
  return { statusCode: response.statusCode, body: response.json() as Record<string, unknown> };
}

export async function signalRows(fixture: Fixture) {
  return fixture.db.query<{
    id: string;
    symbol: string;
    side: string | null;
    payload: string;
    raw: string;
    state: string;
    source_ip: string | null;
  }>('SELECT id, symbol, side, payload, raw, state, source_ip FROM signals ORDER BY id');
}
