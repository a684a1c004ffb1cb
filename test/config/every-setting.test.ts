// Goal (issue 17): every setting counts. Each leaf of the config schema has a probe that changes it
// and shows the component built from the config behaving differently; a leaf without a probe, or
// whose probe sees no difference (a setting nothing reads), fails. Method: the schema is walked for
// its leaves; each probe observes the component built from the default-side and changed-side configs.
// To add a setting: add `'section.leaf': leaf(OTHER_VALUE, observer(pick))` (observers in
// test/support/setting-observers.ts and, for the composition root's settings, app-setting-observers.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/index.js';
import { HttpPeer } from '../monitoring/channels-support.js';
import { apiBulkhead, halts, liveBaseUrls, paperWallets, tracing } from '../support/app-setting-observers.js';
import { APP_PROBES } from '../support/app-setting-probes.js';
import { schemaLeaves } from '../support/schema-leaves.js';
import {
  adapter,
  anomalies,
  auth,
  botPolls,
  channelRequests,
  database,
  exchange,
  logger,
  mailSent,
  paperPrice,
  passphrase,
  pool,
  simServer,
  stack,
  startBotPeer,
} from '../support/setting-observers.js';
import { configOf, input, leaf, type Probe, probeTable } from '../support/setting-probes.js';
import { SmtpRecorder } from '../support/smtp-recorder.js';

const dataDir = mkdtempSync(join(tmpdir(), 'keel-every-setting-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const GROUPS = ['orders', 'account', 'marketData'] as const;
const NOBITEX_URL = 'https://apiv2.nobitex.ir';
/** Live mode with a token, on a loopback address nothing listens on (no request is sent). */
const LIVE = {
  mode: 'live',
  nobitex: { token: 'probetoken0123456789abcdef', baseUrls: ['http://127.0.0.1:9'] },
};

const breakerProbes = (group: (typeof GROUPS)[number]) => {
  const at = `nobitex.breaker.${group}`;
  const breaker = adapter((o) => o.breakers[group]);
  return {
    [`${at}.kind`]: leaf('count', breaker),
    [`${at}.failureThreshold`]: leaf(2, breaker),
    [`${at}.breakDurationMs`]: leaf(1_000, breaker),
    [`${at}.breakDurationMaxMs`]: leaf(600_000, breaker),
    [`${at}.halfOpenProbesMax`]: leaf(3, breaker),
    [`${at}.slowCallDurationMs`]: leaf(2_000, breaker),
    [`${at}.failureRateThreshold`]: leaf(0.25, breaker),
    [`${at}.failureRateWindowMs`]: leaf(60_000, breaker),
    [`${at}.failureRateCallsMin`]: leaf(12, breaker),
    [`${at}.windowCallCount`]: leaf(40, breaker, { nobitex: { breaker: { [group]: { kind: 'count' } } } }),
  };
};

/** Alert channels send to this loopback peer. */
const peer = await HttpPeer.start();
afterAll(() => peer.stop());
const hook = (channel: Record<string, unknown>) => ({
  alerts: { channels: { probe: { kind: 'webhook', url: `${peer.url}/hook`, ...channel } } },
});
const bot = (channel: Record<string, unknown>) => ({
  alerts: {
    channels: {
      probe: {
        kind: 'telegram',
        botToken: 'probe-bot-token',
        chatIds: ['1'],
        apiBaseUrl: peer.url,
        ...channel,
      },
    },
  },
});
const sms = (channel: Record<string, unknown>) => ({
  alerts: {
    channels: {
      probe: { kind: 'sms', provider: 'generic', url: `${peer.url}/sms`, to: ['+989120000000'], ...channel },
    },
  },
});
const twilio = (channel: Record<string, unknown>) =>
  sms({
    provider: 'twilio',
    accountSid: 'AC-probe-1',
    authToken: 'probe-auth-token',
    from: '+15550000',
    ...channel,
  });
/** Email channels send to this loopback SMTP server. */
const smtp = await SmtpRecorder.start();
afterAll(() => smtp.stop());
const email = (channel: Record<string, unknown>) => ({
  alerts: {
    channels: {
      probe: {
        kind: 'email',
        host: '127.0.0.1',
        port: smtp.port,
        from: 'keel@example.com',
        to: ['ops@example.com'],
        user: 'keel',
        password: 'probe-smtp-password',
        requireTls: false,
        ...channel,
      },
    },
  },
});
const mailed = mailSent(smtp, 'probe');
/** Messenger commands poll this peer. */
const botPeer = await startBotPeer();
afterAll(() => botPeer.stop());
const commanded = (commands: Record<string, unknown>) =>
  bot({ apiBaseUrl: botPeer.url, commands: { chatIds: ['1'], ...commands } });
const CHANNEL = 'alerts.channels.*';
const sent = channelRequests(peer, 'probe');

const PROBES = probeTable({
  [`${CHANNEL}.kind`]: { base: hook({}), changed: bot({}), observe: sent },
  [`${CHANNEL}.url`]: input(hook({ url: `${peer.url}/other` }), sent, hook({})),
  [`${CHANNEL}.format`]: input(hook({ format: 'slack' }), sent, hook({})),
  [`${CHANNEL}.headers.*`]: input(hook({ headers: { 'x-probe': 'on' } }), sent, hook({})),
  [`${CHANNEL}.timeoutMs`]: input(hook({ timeoutMs: 3_000 }), sent, hook({})),
  [`${CHANNEL}.botToken`]: input(bot({ botToken: 'other-bot-token' }), sent, bot({})),
  [`${CHANNEL}.chatIds`]: input(bot({ chatIds: ['2'] }), sent, bot({})),
  [`${CHANNEL}.apiBaseUrl`]: input(bot({ apiBaseUrl: `${peer.url}/mirror` }), sent, bot({})),
  [`${CHANNEL}.proxy`]: input(hook({ proxy: 'socks5://127.0.0.1:9' }), sent, hook({})),
  [`${CHANNEL}.to`]: input(sms({ to: ['+989120000001'] }), sent, sms({})),
  [`${CHANNEL}.from`]: input(sms({ from: 'Keel' }), sent, sms({})),
  [`${CHANNEL}.apiKey`]: input(sms({ apiKey: 'probe-api-key' }), sent, sms({})),
  [`${CHANNEL}.provider`]: input(sms({ provider: 'kavenegar' }), sent, sms({ apiKey: 'probe-api-key' })),
  [`${CHANNEL}.accountSid`]: input(twilio({ accountSid: 'AC-probe-2' }), sent, twilio({})),
  [`${CHANNEL}.authToken`]: input(twilio({ authToken: 'other-auth-token' }), sent, twilio({})),
  [`${CHANNEL}.host`]: input(email({ host: '127.0.0.2' }), mailed, email({})),
  [`${CHANNEL}.port`]: input(email({ port: 9 }), mailed, email({})),
  [`${CHANNEL}.secure`]: input(email({ secure: true }), mailed, email({})),
  [`${CHANNEL}.user`]: input(email({ user: 'other' }), mailed, email({})),
  [`${CHANNEL}.password`]: input(email({ password: 'other-smtp-password' }), mailed, email({})),
  [`${CHANNEL}.requireTls`]: input(email({ requireTls: true }), mailed, email({})),
  [`${CHANNEL}.commands.chatIds`]: input(commanded({ chatIds: ['2'] }), botPolls(botPeer), commanded({})),
  [`${CHANNEL}.commands.pollTimeoutS`]: input(
    commanded({ pollTimeoutS: 5 }),
    botPolls(botPeer),
    commanded({}),
  ),
  [`${CHANNEL}.enabled`]: input(
    { alerts: { channels: { console: { enabled: false } } } },
    channelRequests(peer, 'console'),
    { alerts: { ...hook({}).alerts, routes: { info: ['probe'], warning: ['probe'], critical: ['probe'] } } },
  ),

  env: leaf('production', logger, {
    webhook: { passphrase: 'probe-passphrase-0123456789abcdef' },
    dashboard: { token: 'probe-dashboard-token-0123456789abcdef' },
  }),
  'webhook.passphrase': leaf('probe-passphrase-0123456789abcdef', passphrase, { dataDir }),
  mode: leaf(
    'live',
    stack((built) => built.simulator === undefined),
    { ...LIVE, mode: 'paper', dataDir },
  ),
  dataDir: leaf('./elsewhere', database),
  'storage.databaseUrl': leaf('postgres://keel@127.0.0.1/keel', database),
  'logging.level': leaf('warn', logger),
  'logging.file.path': leaf('/tmp/keel-probe.log', logger),
  'logging.file.sizeBytesMax': leaf(2_048, logger, { logging: { file: { path: '/tmp/keel-probe.log' } } }),
  'logging.file.frequency': leaf('daily', logger, { logging: { file: { path: '/tmp/keel-probe.log' } } }),
  'logging.file.filesMax': leaf(3, logger, { logging: { file: { path: '/tmp/keel-probe.log' } } }),
  'cluster.instanceId': leaf('probe-instance', logger),
  'simulator.port': leaf(18_090, simServer),
  'simulator.seed': leaf(7, simServer),
  'simulator.rateLimitScale': leaf(0.5, simServer),
  'simulator.liveMarketData': leaf(true, paperPrice, { dataDir }),
  'nobitex.baseUrls': leaf(
    ['http://127.0.0.1:8'],
    stack((built) => built.baseUrls),
    LIVE,
  ),
  'nobitex.token': leaf('othertoken0123456789abcdef', auth, LIVE),
  'nobitex.apiKey.publicKey': leaf('public-2', auth, {
    ...LIVE,
    nobitex: { ...LIVE.nobitex, apiKey: { publicKey: 'public-1', privateKey: 'private-1' } },
  }),
  'nobitex.apiKey.privateKey': leaf('private-2', auth, {
    ...LIVE,
    nobitex: { ...LIVE.nobitex, apiKey: { publicKey: 'public-1', privateKey: 'private-1' } },
  }),
  'nobitex.userAgent': leaf(
    'TraderBot/probe',
    exchange((s) => s.userAgent),
  ),
  'nobitex.proxy': leaf(
    'socks5://127.0.0.1:1080',
    exchange((s) => s.pool?.routeFor?.(NOBITEX_URL)),
    LIVE,
  ),
  // Only the probe's settings are built: nothing is sent to the (non-loopback) Nobitex URL.
  'nobitex.proxy.*': input(
    { nobitex: { proxy: { [NOBITEX_URL]: 'socks5://127.0.0.1:1080' } } },
    exchange((s) => s.pool?.routeFor?.(NOBITEX_URL)),
    { ...LIVE, nobitex: { ...LIVE.nobitex, baseUrls: [NOBITEX_URL] } },
  ),
  'nobitex.connectTimeoutMs': leaf(
    1_000,
    pool((o) => o.connectTimeoutMs),
  ),
  'nobitex.headersTimeoutMs': leaf(
    1_000,
    pool((o) => o.headersTimeoutMs),
  ),
  'nobitex.bodyTimeoutMs': leaf(
    1_000,
    pool((o) => o.bodyTimeoutMs),
  ),
  'bulkheads.exchange.orders.concurrentMax': leaf(
    9,
    pool((o) => o.bulkheads),
  ),
  'bulkheads.exchange.orders.queueMax': leaf(
    7,
    pool((o) => o.bulkheads),
  ),
  'bulkheads.exchange.orders.queueWaitMaxMs': leaf(
    3000,
    pool((o) => o.bulkheads),
  ),
  'bulkheads.exchange.account.concurrentMax': leaf(
    9,
    pool((o) => o.bulkheads),
  ),
  'bulkheads.exchange.account.queueMax': leaf(
    7,
    pool((o) => o.bulkheads),
  ),
  'bulkheads.exchange.account.queueWaitMaxMs': leaf(
    3000,
    pool((o) => o.bulkheads),
  ),
  'bulkheads.exchange.marketData.concurrentMax': leaf(
    9,
    pool((o) => o.bulkheads),
  ),
  'bulkheads.exchange.marketData.queueMax': leaf(
    7,
    pool((o) => o.bulkheads),
  ),
  'bulkheads.exchange.marketData.queueWaitMaxMs': leaf(
    3000,
    pool((o) => o.bulkheads),
  ),
  'nobitex.ordersTimeoutMs': leaf(
    3_000,
    adapter((o) => o.timeoutMs),
  ),
  'nobitex.retry.attemptsMax': leaf(
    5,
    adapter((o) => o.retryReads),
  ),
  'nobitex.retry.delayInitialMs': leaf(
    50,
    adapter((o) => o.retryReads),
  ),
  'nobitex.retry.delayMaxMs': leaf(
    9_000,
    adapter((o) => o.retryReads),
  ),
  'nobitex.cache.marketDataTtlMs': leaf(
    500,
    adapter((o) => o.cache),
  ),
  'nobitex.cache.optionsTtlMs': leaf(
    60_000,
    adapter((o) => o.cache),
  ),
  'nobitex.cache.walletsTtlMs': leaf(
    1_000,
    adapter((o) => o.cache),
  ),
  'nobitex.cache.staleMaxMs': leaf(
    120_000,
    adapter((o) => o.cache),
  ),
  ...breakerProbes('orders'),
  ...breakerProbes('account'),
  ...breakerProbes('marketData'),
  'anomaly.spikeScore': leaf(2, anomalies),
  'anomaly.leakScore': leaf(100, anomalies),
  'anomaly.ewmaAlpha': leaf(0.3, anomalies),
  'anomaly.warmupCount': leaf(5, anomalies),
  'anomaly.cusumHalfLifeMs': leaf(3_600_000, anomalies),
  'anomaly.reconciliationScaleFloor': leaf(0.5, anomalies),
  'anomaly.feeTierRate': leaf(0.0015, anomalies),
  'anomaly.predictive.enabled': leaf(
    false,
    exchange((s) => s.pool?.predictive),
  ),
  'anomaly.predictive.windowMs': leaf(
    30_000,
    exchange((s) => s.pool?.predictive),
  ),
  'anomaly.predictive.horizonMs': leaf(
    5_000,
    exchange((s) => s.pool?.predictive),
  ),
  'anomaly.predictive.timeoutShare': leaf(
    0.8,
    exchange((s) => s.pool?.predictive),
  ),
  'anomaly.predictive.errorShare': leaf(
    0.3,
    exchange((s) => s.pool?.predictive),
  ),
  'anomaly.predictive.samplesMin': leaf(
    9,
    exchange((s) => s.pool?.predictive),
  ),
  'anomaly.haltOnFlag': leaf(true, halts),
  'nobitex.network': leaf('testnet', liveBaseUrls, { mode: 'live', nobitex: { token: LIVE.nobitex.token } }),
  'simulator.paperBalances.*': input(
    { simulator: { paperBalances: { rls: '1000', usdt: '1', btc: '0', eth: '0' } } },
    paperWallets,
    { dataDir },
  ),
  'tracing.otlpEndpoint': leaf('http://127.0.0.1:4318/v1/traces', tracing),
  'bulkheads.api.concurrentMax': leaf(4, apiBulkhead),
  'bulkheads.api.queueMax': leaf(8, apiBulkhead),
  'bulkheads.api.queueWaitMaxMs': leaf(1_000, apiBulkhead),
  ...APP_PROBES,
});

const LEAVES = schemaLeaves(configSchema);

describe('every setting counts', () => {
  it('has a probe for every leaf of the schema, and none for a leaf that does not exist', () => {
    const missing = LEAVES.filter((path) => !PROBES.has(path));
    expect(missing, 'leaves without a probe').toEqual([]);
    const stale = [...PROBES.keys()].filter((path) => !LEAVES.includes(path));
    expect(stale, 'probes of leaves the schema no longer has').toEqual([]);
  });

  it.each([...PROBES])('%s changes what its component does', async (_path, probe: Probe) => {
    const before = await probe.observe(configOf(probe.base));
    const after = await probe.observe(configOf(probe.changed));
    expect(after).not.toEqual(before);
  });
});
