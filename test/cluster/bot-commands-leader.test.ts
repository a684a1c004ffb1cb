// Goal (issue 15): in a cluster only the trading leader polls the messenger, so a command runs once;
// when the leader dies, the new leader takes the commands. Method: two real `keel start` processes on
// one PostgreSQL schema and Redis prefix, both configured with the same Bale bot (commands on) against
// a fake Bot API on 127.0.0.1; every answer the bot sends is recorded.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulatorServer } from '../../src/exchange/simulator/index.js';
import { FakeBotApi } from '../support/fake-bot-api.js';
import {
  clusterView,
  deleteKeys,
  dropSchema,
  freshSchema,
  type Instance,
  reportUnreachable,
  runCleanup,
  startInstance,
  TEST_REDIS_URL,
  unreachableServices,
  waitFor,
} from './cluster-harness.js';

const TOKEN = '555:cluster-bot';
const cleanup: (() => Promise<void>)[] = [];
afterEach(() => runCleanup(cleanup));

describe('bot commands in a cluster', () => {
  it('are taken by the leader only, once each, and by the next leader after a kill', async () => {
    const unreachable = await unreachableServices();
    if (unreachable !== undefined) return reportUnreachable(unreachable);
    const simulator = await startSimulatorServer({ port: 0, seed: 77 });
    cleanup.push(() => simulator.close());
    const api = await FakeBotApi.start();
    cleanup.push(() => api.close());
    const schema = freshSchema();
    cleanup.push(() => dropSchema(schema));
    const keyPrefix = `keel:test:${randomUUID()}:`;
    cleanup.push(() => deleteKeys(TEST_REDIS_URL, keyPrefix));
    const settings = {
      simulatorUrl: simulator.url,
      schema,
      redisUrl: TEST_REDIS_URL,
      keyPrefix,
      leaseTtlMs: 2_500,
      leaseRenewIntervalMs: 800,
      expectedInstances: 2,
      config: {
        alerts: {
          channels: {
            ops: {
              kind: 'bale',
              botToken: TOKEN,
              chatIds: ['42'],
              apiBaseUrl: api.url,
              commands: { chatIds: ['42'], pollTimeoutS: 1 },
            },
          },
        },
      },
    };
    const instances = await Promise.all(
      ['alpha', 'bravo'].map((id) => startInstance({ ...settings, id }, cleanup)),
    );
    const leader = await waitFor('one leader', () => soleLeader(instances), 20_000);
    // Every getUpdates caller sees a pending update until it is confirmed: two pollers would answer twice.
    api.pushMessage(TOKEN, 42, '/status');
    await waitFor(
      'the /status answer',
      async () => (api.messagesTo('42').length >= 1 ? true : undefined),
      15_000,
    );
    api.pushMessage(TOKEN, 42, '/alerts');
    await waitFor(
      'the /alerts answer',
      async () => (api.messagesTo('42').length >= 2 ? true : undefined),
      15_000,
    );
    const answers = api.messagesTo('42');
    expect(answers.filter((text) => text.startsWith('Engine '))).toHaveLength(1);
    expect(answers).toHaveLength(2);

    leader.child.kill('SIGKILL');
    const standby = instances.find((instance) => instance !== leader) as Instance;
    await waitFor(
      'the standby to lead',
      async () => ((await clusterView(standby)).leader ? true : undefined),
      20_000,
    );
    api.pushMessage(TOKEN, 42, '/halt leader died');
    await waitFor(
      'the new leader to halt',
      async () => (api.messagesTo('42').includes('Engine HALTED.') ? true : undefined),
      20_000,
    );
    const status = (await (await fetch(`${standby.url}/api/status`)).json()) as {
      engineMode: { mode: string; changedBy: string };
    };
    expect(status.engineMode).toMatchObject({ mode: 'HALTED', changedBy: 'ops:42' });
  });
});

async function soleLeader(instances: readonly Instance[]): Promise<Instance | undefined> {
  const views = await Promise.all(instances.map((instance) => clusterView(instance)));
  const leaders = instances.filter((_instance, index) => views[index]?.leader === true);
  return leaders.length === 1 ? leaders[0] : undefined;
}
