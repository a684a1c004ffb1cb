// Commands that act on a running Keel through its API: `keel reconcile`, `keel alerts ack|resolve|list`
// (and `keel alerts test CHANNEL`, which needs only the config),
// `keel engine mode RUNNING|REDUCING|HALTED`, `keel orders show|cancel ID`, `keel positions`,
// `keel close SYMBOL [--strategy S]`.

import type { Command } from 'commander';
import {
  ApiCallError,
  baseUrlSchema,
  callApi,
  URL_OPTION_DESCRIPTION,
  URL_OPTION_FLAGS,
} from '../api-client.js';
import { type CliContext, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../context.js';
import { CONFIG_OPTION_DESCRIPTION, CONFIG_OPTION_FLAGS, loadConfigOrReport } from '../load.js';
import { registerAlertsTest } from './alerts-test.js';
import { registerPositionCommands } from './positions.js';

interface Common {
  config?: string;
  url?: string;
}

export function registerOperateCommands(program: Command, context: CliContext): Command {
  const act =
    (path: string, body?: (args: string[]) => unknown) =>
    async (...args: unknown[]) => {
      const options = args.at(-2) as Common;
      const positional = args
        .slice(0, -2)
        .flatMap((arg) => (Array.isArray(arg) ? arg.map(String) : [String(arg)]));
      const config = loadConfigOrReport(context, options.config);
      if (config === undefined) return;
      if (options.url !== undefined && !baseUrlSchema.safeParse(options.url).success) {
        context.io.stderr(`keel: --url must be an http(s) URL, was ${JSON.stringify(options.url)}\n`);
        context.exitCode = EXIT_USAGE;
        return;
      }
      try {
        const resolvedPath = path.replace(':id', encodeURIComponent(positional[0] ?? ''));
        const result = await callApi(
          config,
          body === undefined ? 'GET' : 'POST',
          resolvedPath,
          body?.(positional),
          options.url,
        );
        context.io.stdout(`${JSON.stringify(result, null, 2)}\n`);
        context.exitCode = EXIT_OK;
      } catch (error) {
        context.io.stderr(`keel: ${error instanceof ApiCallError ? error.message : String(error)}\n`);
        context.exitCode = EXIT_FAILURE;
      }
    };
  const common = (command: Command) =>
    command
      .option(CONFIG_OPTION_FLAGS, CONFIG_OPTION_DESCRIPTION)
      .option(URL_OPTION_FLAGS, URL_OPTION_DESCRIPTION);

  common(
    program
      .command('reconcile')
      .description('reconcile the ledger against the exchange now and print the result'),
  ).action(act('/api/reconcile', () => ({})));
  const alerts = program.command('alerts').description('list, acknowledge and resolve alerts');
  common(alerts.command('list').description('list recent alerts')).action(act('/api/alerts?limit=50'));
  common(
    alerts.command('ack <id>').description('acknowledge an alert (recorded with who logged in, and when)'),
  ).action(act('/api/alerts/:id/ack', () => ({})));
  common(alerts.command('resolve <id>').description('resolve an alert')).action(
    act('/api/alerts/:id/resolve', () => ({})),
  );
  registerAlertsTest(alerts, context);
  const orders = program.command('orders').description('act on one order');
  common(
    orders
      .command('end <id> [reason...]')
      .description('end an UNKNOWN order you checked on the exchange (EXPIRED, never resent)'),
  ).action(
    act('/api/orders/:id/end', ([, ...reason]) => ({
      reason: reason.join(' ') || 'checked on the exchange by an operator',
    })),
  );
  common(orders.command('show <id>').description('show an order with its fills and audit trail')).action(
    act('/api/orders/:id'),
  );
  common(
    orders
      .command('cancel <id>')
      .description('cancel an order on the exchange and confirm it there (recorded with who logged in)'),
  ).action(act('/api/orders/:id/cancel', () => ({})));
  registerPositionCommands(program, { act, common });
  const engine = program.command('engine').description('the kill switch');
  common(
    engine
      .command('mode <mode> [reason...]')
      .description('set the engine mode: RUNNING, REDUCING (only position-reducing orders) or HALTED'),
  ).action(
    act('/api/engine/mode', ([mode, ...reason]) => ({
      mode: (mode ?? '').toUpperCase(),
      reason: reason.join(' ') || 'set from the CLI',
    })),
  );
  return engine;
}
