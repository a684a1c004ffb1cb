// Builds the `keel` program. Importing this module runs nothing; run.ts and bin/keel.js call main().
import { Command, CommanderError } from 'commander';
import { KEEL_VERSION } from '../config/version.js';
import { registerConfigCommand } from './commands/config.js';
import { registerOperateCommands } from './commands/operate.js';
import { registerSimCommand } from './commands/sim.js';
import { registerStartCommand } from './commands/start.js';
import { type CliContext, type CliIo, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, processIo } from './context.js';

/** Registers one command on the program; add new commands to COMMANDS. */
export type RegisterCommand = (program: Command, context: CliContext) => Command;

export const COMMANDS: readonly RegisterCommand[] = [
  registerConfigCommand,
  registerStartCommand,
  registerSimCommand,
  registerOperateCommands,
];

export function buildProgram(context: CliContext, commands: readonly RegisterCommand[] = COMMANDS): Command {
  const program = new Command('keel')
    .description('Keel: TradingView alerts to Nobitex orders, verified and reconciled')
    .version(KEEL_VERSION, '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: context.io.stdout, writeErr: context.io.stderr })
    .showSuggestionAfterError(true);
  // Settings above are copied to each command registered below.
  for (const register of commands) register(program, context);
  return program;
}

/** Runs the CLI with `argv` as in process.argv (node, script, ...args) and resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const context: CliContext = { io, exitCode: EXIT_OK };
  const program = buildProgram(context);
  try {
    await program.parseAsync([...argv], { from: 'node' });
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return commanderExitCode(error);
    io.stderr(`keel: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILURE;
  }
}

/** Help and version end with 0; every other commander error is a usage error. */
function commanderExitCode(error: CommanderError): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT_OK;
  return EXIT_USAGE;
}
