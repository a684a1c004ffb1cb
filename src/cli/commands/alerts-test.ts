// `keel alerts test CHANNEL`: builds the named channel from the config, exactly as a running Keel does
// (proxy included), sends it one test notification, and prints what the channel answered.
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { systemClock } from '../../core/clock.js';
import { createLogger } from '../../logging/create-logger.js';
import { type Notification, newFiringAlert } from '../../monitoring/alert-system/alert.js';
import { buildChannel } from '../../monitoring/alert-system/channels/create-alert-channels.js';
import { type CliContext, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../context.js';
import { CONFIG_OPTION_DESCRIPTION, CONFIG_OPTION_FLAGS, loadConfigOrReport } from '../load.js';

/** The console channel has no peer; give it this long, ms. */
const CONSOLE_TIMEOUT_MS = 5_000;

export function registerAlertsTest(alerts: Command, context: CliContext): void {
  alerts
    .command('test <channel>')
    .description('send a test message through one configured channel and print what it answered')
    .option(CONFIG_OPTION_FLAGS, CONFIG_OPTION_DESCRIPTION)
    .action(async (name: string, options: { config?: string }) => {
      const config = loadConfigOrReport(context, options.config);
      if (config === undefined) return;
      const channelConfig = config.alerts.channels[name];
      const names = Object.keys(config.alerts.channels).join(', ');
      if (channelConfig === undefined) {
        context.io.stderr(`keel: no channel named ${JSON.stringify(name)} (configured: ${names})\n`);
        context.exitCode = EXIT_USAGE;
        return;
      }
      // The console channel writes its message as a log line: show it.
      const logger = createLogger({ level: 'info' });
      const built = buildChannel(name, channelConfig, { logger, clock: systemClock });
      if (built === undefined) {
        context.io.stderr(`keel: channel ${name} is disabled\n`);
        context.exitCode = EXIT_FAILURE;
        return;
      }
      const timeoutMs = built.timeoutMs ?? CONSOLE_TIMEOUT_MS;
      try {
        const answer = await built.channel.send(testNotification(), AbortSignal.timeout(timeoutMs));
        context.io.stdout(
          `${name} (${channelConfig.kind}) delivered the test message.\n${answer ?? 'no answer text'}\n`,
        );
        context.exitCode = EXIT_OK;
      } catch (error) {
        // Channel errors are already scrubbed of tokens, URLs and proxy credentials.
        context.io.stderr(
          `keel: ${name} (${channelConfig.kind}) failed: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        context.exitCode = EXIT_FAILURE;
      } finally {
        await built.channel.close?.();
      }
    });
}

function testNotification(): Notification {
  const nowMs = systemClock.nowMs();
  return {
    group: 'test',
    reason: 'initial',
    atMs: nowMs,
    alerts: [
      newFiringAlert(
        {
          id: `alrt-test-${randomUUID()}`,
          key: 'keel.alerts.test',
          severity: 'info',
          source: 'cli',
          group: 'test',
          title: 'Keel test message: this channel works',
          details: {},
        },
        nowMs,
      ),
    ],
  };
}
