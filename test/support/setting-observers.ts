// What the every-setting probes look at: the component built from a config, as plain data. Each
// observer builds through the same function the running app uses, so a leaf that stops arriving
// there shows no difference.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAnomalyDetector } from '../../src/app/anomaly-watch.js';
import { createBotPollers } from '../../src/app/bot-pollers.js';
import { type ExchangeSettings, exchangeSettings } from '../../src/app/exchange-settings.js';
import { createExchangeStack, liveAuth } from '../../src/app/exchange-stack.js';
import { resolveWebhookPassphrase } from '../../src/app/webhook-passphrase.js';
import { simServerSettings } from '../../src/cli/commands/sim.js';
import { databaseTarget, type KeelConfig } from '../../src/config/index.js';
import { FakeClock, systemClock } from '../../src/core/clock.js';
import { createRng } from '../../src/core/random.js';
import {
  type ResolvedConnectionPoolOptions,
  resolveOptions,
} from '../../src/exchange/connection-pool/connection-pool-options.js';
import {
  type ResolvedAdapterOptions,
  resolveAdapterOptions,
} from '../../src/exchange/enhanced-nobitex-adapter/adapter-options.js';
import { createSimulator } from '../../src/exchange/simulator/index.js';
import { loggerOptionsFromConfig } from '../../src/logging/create-logger.js';
import { silentLogger } from '../../src/logging/logger.js';
import { buildChannel } from '../../src/monitoring/alert-system/channels/create-alert-channels.js';
import type { Observation } from '../../src/monitoring/anomaly/anomaly-detector.js';
import type { BotCommandOperations } from '../../src/monitoring/bot-commands/bot-commands.js';
import { openDatabase } from '../../src/storage/open-database.js';
import { HttpPeer, makeNotification } from '../monitoring/channels-support.js';
import { plain } from './setting-probes.js';
import type { SmtpRecorder } from './smtp-recorder.js';

type Observe = (config: KeelConfig) => unknown;

/** The adapter's and pool's options as the exchange stack passes them. */
export const exchange =
  (pick: (settings: ExchangeSettings) => unknown): Observe =>
  (config) =>
    plain(pick(exchangeSettings(config)));

/** The adapter's options after it merged and validated them (what its policies are built from). */
export const adapter =
  (pick: (options: ResolvedAdapterOptions) => unknown): Observe =>
  (config) =>
    plain(pick(resolveAdapterOptions(exchangeSettings(config).options)));

/** The connection pool's options after it merged and validated them. */
export const pool =
  (pick: (options: ResolvedConnectionPoolOptions) => unknown): Observe =>
  (config) =>
    plain(
      pick(
        resolveOptions({
          ...exchangeSettings(config).pool,
          baseUrls: ['http://127.0.0.1:9'],
          clock: new FakeClock(),
          rng: createRng(1),
        }),
      ),
    );

/** The exchange stack itself (paper: a simulator; live: the configured base URLs), closed at once. */
export const stack =
  (pick: (built: Awaited<ReturnType<typeof createExchangeStack>>) => unknown): Observe =>
  async (config) => {
    const built = await createExchangeStack({
      config,
      clock: new FakeClock(),
      rng: createRng(1),
      logger: silentLogger,
    });
    try {
      return plain(pick(built));
    } finally {
      await built.close();
    }
  };

/** The credentials a live stack signs with. */
export const auth: Observe = (config) => plain(liveAuth(config));

/** What `keel sim` listens with. */
export const simServer: Observe = (config) => plain(simServerSettings(config, { host: '127.0.0.1' }));

/** The process logger's options. */
export const logger: Observe = (config) => plain(loggerOptionsFromConfig(config));

/** The passphrase webhooks must carry. */
export const passphrase: Observe = (config) => plain(resolveWebhookPassphrase(config).value);

/** Where the database lives. */
export const database: Observe = (config) => plain(databaseTarget(config));

/**
 * The requests one alert channel sends to a loopback peer when given a notification, with the
 * channel's kind and per-send timeout; `{ built: false }` when the config builds no channel.
 */
export const channelRequests =
  (peer: HttpPeer, name: string): Observe =>
  async (config) => {
    const entry = config.alerts.channels[name];
    const built = entry && buildChannel(name, entry, { logger: silentLogger, clock: systemClock });
    if (built === undefined) return { built: false };
    const seen = peer.requests.length;
    let failed: string | undefined;
    try {
      await built.channel.send(makeNotification(), AbortSignal.timeout(5_000));
    } catch (error) {
      failed = error instanceof Error ? error.name : 'thrown';
    } finally {
      await built.channel.close?.();
    }
    const requests = peer.requests.slice(seen).map(({ method, path, headers, body }) => ({
      method,
      path,
      probe: headers['x-probe'],
      authorization: headers.authorization,
      body,
    }));
    return plain({ kind: built.channel.constructor.name, timeoutMs: built.timeoutMs, requests, failed });
  };

/** The logins and mails one email channel delivers to a loopback SMTP recorder, or why it failed. */
export const mailSent =
  (smtp: SmtpRecorder, name: string): Observe =>
  async (config) => {
    const entry = config.alerts.channels[name];
    const built = entry && buildChannel(name, entry, { logger: silentLogger, clock: systemClock });
    if (built === undefined) return { built: false };
    const [logins, mails] = [smtp.logins.length, smtp.mails.length];
    let failed: string | undefined;
    try {
      await built.channel.send(makeNotification(), AbortSignal.timeout(5_000));
    } catch (error) {
      failed = error instanceof Error ? error.name : 'thrown';
    } finally {
      await built.channel.close?.();
    }
    return plain({ logins: smtp.logins.slice(logins), mails: smtp.mails.slice(mails), failed });
  };

/** Hourly samples per series: a leak in the reconciliation, spikes (early and late) in slippage. */
const ANOMALY_SCRIPT: readonly Observation[] = [
  ...Array.from(
    { length: 20 },
    (_, i): Observation => ({
      kind: 'reconciliation',
      currency: 'usdt',
      value: i < 5 ? 0 : 0.04,
    }),
  ),
  ...Array.from(
    { length: 30 },
    (_, i): Observation => ({
      kind: 'slippage',
      currency: 'usdt',
      value: i === 8 || i === 25 ? 60 : i % 2 === 0 ? 1 : 3,
    }),
  ),
  ...Array.from(
    { length: 25 },
    (_, i): Observation => ({
      kind: 'feeRate',
      currency: 'usdt',
      value: 15 + (i % 2 === 0 ? 0.1 : -0.1),
    }),
  ),
].map((sample, index) => ({ ...sample, atMs: index * 3_600_000 }));

/** The flags the anomaly detector raises and the baselines it learns over a fixed script. */
export const anomalies: Observe = async (config) => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-probe-anomaly-'));
  const db = openDatabase({ dataDir: dir, sqliteSynchronous: 'NORMAL' });
  try {
    const detector = await createAnomalyDetector({
      config,
      db,
      clock: new FakeClock(),
      logger: silentLogger,
    });
    const flags: string[] = [];
    for (const [index, sample] of ANOMALY_SCRIPT.entries()) {
      const flag = await detector.observe(sample);
      if (flag !== undefined) flags.push(`${index}:${flag.kind}:${flag.flag}`);
    }
    const round = (value: number) => Number(value.toPrecision(6));
    const series = detector.series().map((view) => ({
      ...view,
      baseline: round(view.baseline),
      mad: round(view.mad),
      cusum: round(view.cusum),
    }));
    return { flags, series };
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

/** A bot API peer: one `/help` from chat 1 on the first getUpdates, nothing after; sendMessage succeeds. */
export async function startBotPeer(): Promise<HttpPeer> {
  return HttpPeer.start((request) => {
    if (!request.path.endsWith('/getUpdates')) return { status: 200, body: { ok: true, result: {} } };
    const first = !request.body.includes('"offset":2');
    const update = { update_id: 1, message: { message_id: 1, date: 0, chat: { id: 1 }, text: '/help' } };
    return { status: 200, body: { ok: true, result: first ? [update] : [] } };
  });
}

/**
 * What the messenger command pollers ask and answer: started until they poll again after the first
 * update (so that update was handled), then stopped. Returns each request's target and body.
 */
export const botPolls =
  (peer: HttpPeer): Observe =>
  async (config) => {
    const seen = peer.requests.length;
    const pollers = createBotPollers({
      config,
      operations: {} as BotCommandOperations, // `/help` needs none
      clock: systemClock,
      rng: createRng(1),
      logger: silentLogger,
    });
    const running = pollers.start();
    try {
      const deadlineMs = Date.now() + 5_000; // bounded: a poller that never polls again fails here
      while (peer.requests.slice(seen).filter((r) => r.path.endsWith('/getUpdates')).length < 2) {
        if (Date.now() > deadlineMs) throw new Error('the poller did not poll twice within 5 s');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      running.dispose();
      await pollers.close();
    }
    return peer.requests
      .slice(seen)
      .filter((request) => !request.body.includes('"offset":2'))
      .map(({ path, body }) => ({ path: path.replace(/.*\//, ''), body: JSON.parse(body) as unknown }));
  };

/**
 * The paper exchange's BTCIRT price, with nobitex.baseUrls pointed at a loopback stand-in whose prices
 * differ from the paper simulator's own: on live prices (simulator.liveMarketData) it follows the stand-in.
 */
export const paperPrice: Observe = async (config) => {
  const standIn = createSimulator({ seed: 99, priceTickMs: 0 });
  const url = await standIn.listen({ host: '127.0.0.1', port: 0 });
  try {
    return await stack((built) => built.simulator?.lastPrice('BTCIRT'))({
      ...config,
      nobitex: { ...config.nobitex, baseUrls: [url] },
    });
  } finally {
    await standIn.close();
  }
};
