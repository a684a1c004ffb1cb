// `keel config check`: print the effective config with secrets redacted, or every problem.
import type { Command } from 'commander';
import { configToJson } from '../../config/describe-config.js';
import { type CliContext, EXIT_OK } from '../context.js';
import { CONFIG_OPTION_DESCRIPTION, CONFIG_OPTION_FLAGS, loadConfigOrReport } from '../load.js';

export function registerConfigCommand(program: Command, context: CliContext): Command {
  const config = program.command('config').description('inspect the configuration');
  config
    .command('check')
    .description('validate the configuration and print it with secrets redacted')
    .option(CONFIG_OPTION_FLAGS, CONFIG_OPTION_DESCRIPTION)
    .action((options: { config?: string }) => {
      const loaded = loadConfigOrReport(context, options.config);
      if (loaded === undefined) return;
      context.io.stdout(`${configToJson(loaded)}\n`);
      context.exitCode = EXIT_OK;
    });
  return config;
}
