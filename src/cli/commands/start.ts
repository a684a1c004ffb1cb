// `keel start`: for now, load and validate the config and print what would run.
// The engine wiring replaces the body of the action; the option and the loading stay.
import type { Command } from 'commander';
import { configToJson, summarizeConfig } from '../../config/describe-config.js';
import { type CliContext, EXIT_OK } from '../context.js';
import { CONFIG_OPTION_DESCRIPTION, CONFIG_OPTION_FLAGS, loadConfigOrReport } from '../load.js';

export function registerStartCommand(program: Command, context: CliContext): Command {
  return program
    .command('start')
    .description('start the engine (currently: validate the configuration and print a summary)')
    .option(CONFIG_OPTION_FLAGS, CONFIG_OPTION_DESCRIPTION)
    .action((options: { config?: string }) => {
      const loaded = loadConfigOrReport(context, options.config);
      if (loaded === undefined) return;
      context.io.stdout(`${summarizeConfig(loaded)}\n${configToJson(loaded)}\n`);
      context.exitCode = EXIT_OK;
    });
}
