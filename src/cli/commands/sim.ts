// `keel sim [--port N] [--seed S]`: the Nobitex simulator as a standalone server (for live-mode tests and
// demos). Port, seed and rate-limit scale come from the config (simulator.*, KEEL_SIM_PORT, KEEL_SIM_SEED);
// --port and --seed override them.
import type { Command } from 'commander';
import type { KeelConfig } from '../../config/index.js';
import { type SimulatorServerOptions, startSimulatorServer } from '../../exchange/simulator/index.js';
import { createLogger } from '../../logging/create-logger.js';
import { type CliContext, EXIT_OK, EXIT_USAGE } from '../context.js';
import { CONFIG_OPTION_DESCRIPTION, CONFIG_OPTION_FLAGS, loadConfigOrReport } from '../load.js';

export interface SimCommandOptions {
  readonly port?: string;
  readonly seed?: string;
  readonly host: string;
  readonly config?: string;
}

export function registerSimCommand(program: Command, context: CliContext): Command {
  return program
    .command('sim')
    .description('run the Nobitex simulator (with POST /_chaos fault injection) on loopback')
    .option('-p, --port <port>', 'port to listen on (0: any free port); default simulator.port (8090)')
    .option('-s, --seed <seed>', 'seed of prices and faults; default simulator.seed (1)')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option(CONFIG_OPTION_FLAGS, CONFIG_OPTION_DESCRIPTION)
    .action(async (options: SimCommandOptions) => {
      const config = loadConfigOrReport(context, options.config);
      if (config === undefined) return;
      const settings = simServerSettings(config, options);
      if (typeof settings === 'string') {
        context.io.stderr(`keel sim: ${settings}\n`);
        context.exitCode = EXIT_USAGE;
        return;
      }
      const { seed } = settings;
      const logger = createLogger({ level: 'info' });
      const server = await startSimulatorServer({ ...settings, logger });
      context.io.stdout(
        `Nobitex simulator listening on ${server.url} (seed ${seed}); chaos: POST ${server.url}/_chaos\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      await server.close();
      context.exitCode = EXIT_OK;
    });
}

/** The server's settings: the config's simulator section, with --port and --seed over it; or a usage error. */
export function simServerSettings(
  config: KeelConfig,
  options: SimCommandOptions,
): Omit<SimulatorServerOptions, 'logger'> | string {
  const port = options.port === undefined ? config.simulator.port : Number(options.port);
  const seed = options.seed === undefined ? config.simulator.seed : Number(options.seed);
  if (!Number.isInteger(port) || port < 0 || port > 65_535 || !Number.isInteger(seed) || seed < 0)
    return `--port must be 0..65535 and --seed a non-negative integer, was ${options.port}, ${options.seed}`;
  return { host: options.host, port, seed, rateLimitScale: config.simulator.rateLimitScale };
}
