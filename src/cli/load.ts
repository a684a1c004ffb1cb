// Loads the config for a command, printing warnings and problems; commands share this so output is uniform.
import { type KeelConfig, loadConfig } from '../config/load-config.js';
import { formatProblem } from '../config/problems.js';
import { type CliContext, EXIT_FAILURE } from './context.js';

/** The frozen config, or undefined after printing every problem and setting exit code 1. */
export function loadConfigOrReport(
  context: CliContext,
  configPath: string | undefined,
): KeelConfig | undefined {
  const { io } = context;
  const result = loadConfig({
    env: io.env,
    cwd: io.cwd,
    ...(configPath === undefined ? {} : { configPath }),
  });
  for (const warning of result.warnings) io.stderr(`keel: warning: ${formatProblem(warning)}\n`);
  if (result.ok) return result.config;
  const count = result.problems.length;
  io.stderr(`keel: the configuration has ${count} problem${count === 1 ? '' : 's'}:\n`);
  for (const problem of result.problems) io.stderr(`${formatProblem(problem)}\n`);
  context.exitCode = EXIT_FAILURE;
  return undefined;
}

export const CONFIG_OPTION_FLAGS = '-c, --config <path>';
export const CONFIG_OPTION_DESCRIPTION = 'config file (must exist); default ./keel.config.json when present';
