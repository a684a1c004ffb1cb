// Goal: the console channel logs each notification once, at the level of its worst alert, with the
// subject as message and no free-form details. Method: a pino logger writing into memory.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Alert, Notification, Severity } from '../alert.js';
import { ConsoleChannel } from './console-channel.js';

function alert(severity: Severity, id: string): Alert {
  return {
    id,
    key: `k-${id}`,
    severity,
    source: 'engine',
    group: 'engine',
    title: `title ${id}`,
    details: { password: 'details-stay-out' },
    state: 'firing',
    firstSeenAtMs: 0,
    lastSeenAtMs: 0,
    repeatCount: 1,
    acknowledgedBy: null,
    acknowledgedAtMs: null,
    resolvedBy: null,
    resolvedAtMs: null,
  };
}

describe('ConsoleChannel', () => {
  it.each([
    [['info'], 30],
    [['info', 'warning'], 40],
    [['error', 'info'], 50],
    [['warning', 'critical', 'error'], 60],
  ] as const)('logs severities %j at pino level %i', async (severities, level) => {
    const lines: string[] = [];
    const logger = pino({ level: 'trace' }, { write: (chunk: string) => void lines.push(chunk) });
    const notification: Notification = {
      group: 'engine',
      reason: 'initial',
      atMs: 0,
      alerts: severities.map((severity, index) => alert(severity, String(index))),
    };
    await new ConsoleChannel({ logger }).send(notification, new AbortController().signal);
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(record).toMatchObject({
      level,
      channel: 'console',
      group: 'engine',
      alertCount: severities.length,
    });
    expect(record.msg).toContain(`Keel engine: ${severities.length} open alert(s)`);
    expect(lines[0]).not.toContain('details-stay-out');
  });
});
