// What every command receives: where to write, the environment, the working directory, and the exit code.
import type { Environment } from '../config/read-env.js';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Environment;
  readonly cwd: string;
}

export interface CliContext {
  readonly io: CliIo;
  /** Set by the command's action; main returns it. */
  exitCode: number;
}

/** Exit codes: 0 success, 1 the command failed (bad config), 2 the command line itself was wrong. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
  };
}
