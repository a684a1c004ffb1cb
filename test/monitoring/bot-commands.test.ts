// Goal (issue 15): commands sent to the bot drive Keel: /status, /halt, /resume and /ack from an allowed
// chat run and are answered (a mode change recorded with the chat as who); the same from a stranger is
// ignored, unanswered and logged. A whole paper Keel then obeys /halt and /resume from the messenger.
// Method: a fake Bot API on 127.0.0.1 long-polled by the real client and poller; first with recorded
// operations, then through a running KeelApp.
import { afterEach, describe, expect, it } from 'vitest';
import { Secret } from '../../src/config/secret.js';
import { systemClock } from '../../src/core/clock.js';
import { Decimal } from '../../src/core/decimal.js';
import { createRng } from '../../src/core/random.js';
import type { EngineMode } from '../../src/engine/kill-switch.js';
import type { AlertView, StatusSnapshot } from '../../src/monitoring/api/status-source.js';
import { BotApiClient } from '../../src/monitoring/bot-commands/bot-api-client.js';
import { BotCommands } from '../../src/monitoring/bot-commands/bot-commands.js';
import { CommandPoller } from '../../src/monitoring/bot-commands/command-poller.js';
import { type Harness, startHarness } from '../app/app-harness.js';
import { FakeBotApi } from '../support/fake-bot-api.js';
import { makeAlert, memoryLogger, waitFor } from './channels-support.js';

const TOKEN = '77:command-bot-token';

describe('bot commands through a fake Bot API', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('runs /status, /halt, /resume and /ack from the allowed chat and ignores a stranger', async () => {
    const api = await FakeBotApi.start();
    closers.push(() => api.close());
    let mode: EngineMode = 'RUNNING';
    const changes: { mode: EngineMode; by: string; reason: string }[] = [];
    const acks: { id: string; by: string }[] = [];
    const alert = makeAlert({ id: 'alrt-1' });
    const commands = new BotCommands({
      status: async () =>
        ({
          engineMode: { mode, changedBy: changes.at(-1)?.by ?? null, reason: changes.at(-1)?.reason ?? null },
          breakers: [{ name: 'orders', state: 'closed' }],
          health: { status: 'healthy', checks: [{ name: 'reconciliation', status: 'healthy' }] },
        }) as unknown as StatusSnapshot,
      orders: async () => [],
      lastReconciliation: () => ({ status: 'ok', finishedAtMs: Date.UTC(2026, 0, 1), breachCount: 0 }),
      positions: () => [
        {
          market: 'btc-rls',
          base: 'btc',
          quote: 'rls',
          position: new Decimal('0.5'),
          costBasis: new Decimal('100'),
          averageCost: new Decimal('200'),
          realizedPnl: new Decimal('3'),
          fillCount: 2,
        },
      ],
      openAlerts: async () => [alert],
      acknowledgeAlert: async (id, by) => {
        acks.push({ id, by });
        return id === alert.id
          ? ({ ...alert, state: 'acknowledged', acknowledgedBy: by } as AlertView)
          : undefined;
      },
      setEngineMode: async (to, by, reason) => {
        mode = to;
        changes.push({ mode: to, by, reason });
        return { mode: to, changedBy: by, reason, changedAtMs: 0 };
      },
    });
    const client = new BotApiClient({
      channel: 'ops',
      botToken: new Secret(TOKEN),
      apiBaseUrl: api.url,
      timeoutMs: 2_000,
      pollTimeoutS: 1,
    });
    closers.push(() => client.close());
    const memory = memoryLogger();
    const poller = new CommandPoller({
      channel: 'ops',
      api: client,
      commands,
      allowedChatIds: ['42'],
      clock: systemClock,
      rng: createRng(3),
      logger: memory.logger,
    });
    poller.start();
    closers.push(() => poller.stop());

    api.pushMessage(TOKEN, 666, '/halt stranger danger');
    api.pushMessage(TOKEN, 42, '/status');
    await waitFor(() => api.messagesTo('42').length === 1);
    expect(api.messagesTo('42')[0]).toContain('Engine RUNNING');
    expect(api.messagesTo('42')[0]).toContain('Breakers: orders closed');
    expect(api.messagesTo('42')[0]).toContain(
      'Last reconciliation: ok at 2026-01-01T00:00:00.000Z, 0 breach(es)',
    );

    api.pushMessage(TOKEN, 42, '/halt exchange looks wrong');
    await waitFor(() => api.messagesTo('42').length === 2);
    expect(api.messagesTo('42')[1]).toBe('Engine HALTED.');
    api.pushMessage(TOKEN, 42, '/ack alrt-1');
    await waitFor(() => api.messagesTo('42').length === 3);
    expect(api.messagesTo('42')[2]).toBe('Alert alrt-1 acknowledged (by ops:42).');
    api.pushMessage(TOKEN, 42, '/resume@keel_bot all clear');
    api.pushMessage(TOKEN, 42, '/positions');
    await waitFor(() => api.messagesTo('42').length === 5);
    expect(api.messagesTo('42').slice(3)).toEqual(['Engine RUNNING.', 'btc-rls: 0.5 btc at 200 rls']);

    expect(changes).toEqual([
      { mode: 'HALTED', by: 'ops:42', reason: 'exchange looks wrong' },
      { mode: 'RUNNING', by: 'ops:42', reason: 'all clear' },
    ]);
    expect(acks).toEqual([{ id: 'alrt-1', by: 'ops:42' }]);
    expect(api.messagesTo('666')).toEqual([]);
    expect(memory.text()).toContain('command from a chat not on the allow-list: ignored');
    expect(memory.text()).toContain('"chatId":"666"');
    expect(memory.text()).not.toContain('stranger danger');
    expect(memory.text()).not.toContain(TOKEN);
  });
});

describe('bot commands on a running Keel', () => {
  let harness: Harness | undefined;
  let api: FakeBotApi | undefined;
  afterEach(async () => {
    await harness?.close();
    await api?.close();
  });

  it('halts and resumes from the allowed chat, recording the chat as who; a stranger changes nothing', async () => {
    api = await FakeBotApi.start();
    harness = await startHarness({
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
    });
    const app = harness.app;
    api.pushMessage(TOKEN, 9, '/halt not yours');
    api.pushMessage(TOKEN, 42, '/halt checking the books');
    await harness.waitFor(() => api?.messagesTo('42').includes('Engine HALTED.'), 'the halt answer');
    expect(app.killSwitch.mode).toBe('HALTED');
    expect(app.killSwitch.lastChange).toMatchObject({ by: 'ops:42', reason: 'checking the books' });
    expect(api.messagesTo('9')).toEqual([]);
    api.pushMessage(TOKEN, 42, '/alerts');
    await harness.waitFor(
      () =>
        api?.messagesTo('42').find((text) => text.includes('engine HALTED (operator: checking the books)')),
      'the HALTED alert listed',
    );
    api.pushMessage(TOKEN, 42, '/resume books fine');
    await harness.waitFor(() => api?.messagesTo('42').includes('Engine RUNNING.'), 'the resume answer');
    expect(app.killSwitch.mode).toBe('RUNNING');
    api.pushMessage(TOKEN, 42, '/status');
    const status = await harness.waitFor(
      () => api?.messagesTo('42').find((text) => text.startsWith('Engine RUNNING (by ops:42: books fine)')),
      'the status answer',
    );
    expect(status).toMatch(/Last reconciliation: ok at \d{4}-/);
  });
});
