// `keel sim --port N --seed S`: the Nobitex simulator as a standalone server (for live-mode tests and demos).
import type { Command } from 'commander';
import { startSimulatorServer } from '../../exchange/simulator/index.js';
import { createLogger } from '../../logging/create-logger.js';
import { type CliContext, EXIT_OK, EXIT_USAGE } from '../context.js';

export function registerSimCommand(program: Command, context: CliContext): Command {
  return program
    .command('sim')
    .description('run the Nobitex simulator (with POST /_chaos fault injection) on loopback')
    .option('-p, --port <port>', 'port to listen on (0: any free port)', '8090')
    .option('-s, --seed <seed>', 'seed of prices and faults', '1')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .action(async (options: { port: string; seed: string; host: string }) => {
      const port = Number(options.port);
      const seed = Number(options.seed);
      if (!Number.isInteger(port) || port < 0 || port > 65_535 || !Number.isInteger(seed) || seed < 0) {
        context.io.stderr(
          `keel sim: --port must be 0..65535 and --seed a non-negative integer, was ${options.port}, ${options.seed}\n`,
        );
        context.exitCode = EXIT_USAGE;
        return;
      }
      const logger = createLogger({ level: 'info' });
      const server = await startSimulatorServer({ host: options.host, port, seed, logger });
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
