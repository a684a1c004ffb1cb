// What the every-setting probes of the composition root look at: the options each wiring module
// derives from the config and hands to its component (the same function the running app calls), or
// what the component then does. A leaf that stops arriving there shows no difference.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterSettings } from '../../src/app/cluster.js';
import { fillStreamSettings } from '../../src/app/fill-stream-wiring.js';
import { accessSettings, serverSettings } from '../../src/app/http-server.js';
import { reconciliationSettings } from '../../src/app/reconciliation-loop.js';
import { retentionOptions } from '../../src/app/retention-wiring.js';
import { apiBulkheadOptions } from '../../src/app/wiring/bulkheads.js';
import { signalStoreSettings } from '../../src/app/wiring/bus.js';
import { engineSettings, killSwitchSettings } from '../../src/app/wiring/engine.js';
import { intakeSettings } from '../../src/app/wiring/intake.js';
import { alertChannelSettings, alertManagerSettings, haltSettings } from '../../src/app/wiring/monitoring.js';
import { storageSettings } from '../../src/app/wiring/storage.js';
import { verifierOptions } from '../../src/app/wiring/verification.js';
import type { KeelConfig } from '../../src/config/index.js';
import { KillSwitch, killSwitchMigrations } from '../../src/engine/kill-switch.js';
import { SIMULATOR_DEFAULT_TOKEN } from '../../src/exchange/simulator/index.js';
import { silentLogger } from '../../src/logging/logger.js';
import { startAppTracing } from '../../src/monitoring/tracing/app-tracing.js';
import { openDatabase } from '../../src/storage/open-database.js';
import { stack } from './setting-observers.js';
import { plain } from './setting-probes.js';

type Observe = (config: KeelConfig) => unknown;

/** The engine's limits and waits (decimals as strings), as a leased instance builds it. */
export const engine: Observe = (config) => JSON.parse(JSON.stringify(engineSettings(config, true)));

/** The mode a fresh kill switch starts in. */
export const initialMode: Observe = async (config) => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-probe-kill-switch-'));
  const db = openDatabase({ dataDir: dir, sqliteSynchronous: 'NORMAL' });
  try {
    await db.migrate(killSwitchMigrations);
    return (await KillSwitch.open({ db, ...killSwitchSettings(config) })).mode;
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

/** Whether tracing started (with an OTLP endpoint), closed at once; no span is exported. */
export const tracing: Observe = async (config) => {
  const started = await startAppTracing(config, silentLogger);
  await started.close();
  return started.enabled;
};

/** The intake's checks, the verifier's options, the alert manager's, the rules' halts. */
export const intake: Observe = (config) => plain(intakeSettings(config));
export const signalStore: Observe = (config) => plain(signalStoreSettings(config));
export const verifier: Observe = (config) => plain(verifierOptions(config));
/** The WebSocket fill stream's settings as a live instance builds them (undefined: no stream). */
export const fillStream: Observe = (config) => plain(fillStreamSettings(config, undefined));
export const alertManager: Observe = (config) => plain(alertManagerSettings(config));
export const alertChannels: Observe = (config) => plain(alertChannelSettings(config));
export const halts: Observe = (config) => plain(haltSettings(config));
/** The retention runner's options (undefined: no runner). */
export const retention: Observe = (config) => plain(retentionOptions(config));
export const reconciliation: Observe = (config) => plain(reconciliationSettings(config));
/** The lease, rate-limit store and shared breakers' options. */
export const cluster: Observe = (config) => plain(clusterSettings(config));
/** The database the app opens and its options. */
export const storage: Observe = (config) => plain(storageSettings(config));
export const apiBulkhead: Observe = (config) => plain(apiBulkheadOptions(config));
/** The listeners' addresses, host allow-list and connection limits; the operator surface's access. */
export const server: Observe = (config) => plain(serverSettings(config));
export const access: Observe = (config) => plain(accessSettings(config));

/** The live stack's base URLs (the network's address by default); built live, it would reach out. */
export const liveBaseUrls: Observe = (config) => plain(config.nobitex.baseUrls);

/** The paper account's wallets on the simulator the paper stack starts. */
export const paperWallets = stack((built) =>
  JSON.parse(JSON.stringify(built.simulator?.wallets(SIMULATOR_DEFAULT_TOKEN) ?? null)),
);
