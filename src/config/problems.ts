// A configuration problem names the path, what was expected, what was found (never a secret) and where from.

import { REDACTED } from './secret.js';
import { isSecretPath } from './secret-paths.js';

export type ProblemSource = 'default' | 'file' | 'env';

export interface ConfigProblem {
  /** Dotted config path ('nobitex.connectTimeoutMs'), or the variable/file name when there is no path. */
  readonly path: string;
  /** What would have been accepted ('positive integer'). */
  readonly expected: string;
  /** What was found ('"abc"'); '[redacted]' for secrets, a type for objects. */
  readonly got: string;
  readonly source: ProblemSource;
  /** The environment variable that supplied the value, when source is 'env'. */
  readonly variable?: string;
}

const GOT_LENGTH_MAX = 80;

/** One line: `path: expected X, got Y (source)`. */
export function formatProblem(problem: ConfigProblem): string {
  const where = problem.variable === undefined ? problem.source : `${problem.source} ${problem.variable}`;
  return `${problem.path}: expected ${problem.expected}, got ${problem.got} (${where})`;
}

/** Describes a value for a problem without ever showing a secret or a nested object's contents. */
export function describeValue(value: unknown, path: string): string {
  if (value === undefined) return 'nothing';
  if (isSecretPath(path)) return REDACTED;
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') return 'an object';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > GOT_LENGTH_MAX ? `${text.slice(0, GOT_LENGTH_MAX)}…` : text;
}

/** The type of a value, for places where even a non-secret value should not be echoed (unknown keys). */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
