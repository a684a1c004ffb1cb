// Turns KEEL_* environment variables into a raw config layer, using the one table in env-table.ts.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ENV_TABLE, type EnvKind } from './env-table.js';
import { setPath } from './merge.js';
import type { ConfigProblem } from './problems.js';
import type { RawObject } from './profiles.js';

export type Environment = Readonly<Record<string, string | undefined>>;

export interface EnvLayer {
  readonly layer: RawObject;
  /** Config path → the variable that set it, for problem reports. */
  readonly variables: ReadonlyMap<string, string>;
  readonly problems: ConfigProblem[];
  /** KEEL_* variables that are not in the table: probably typos. */
  readonly unknownVariables: string[];
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

export function readEnv(env: Environment, cwd: string): EnvLayer {
  const layer: RawObject = {};
  const variables = new Map<string, string>();
  const problems: ConfigProblem[] = [];
  for (const { variable, path, kind } of ENV_TABLE) {
    const raw =
      kind === 'secret' ? readSecretVariable(env, variable, cwd, problems) : nonEmpty(env[variable]);
    if (raw === undefined) continue;
    setPath(layer, path.split('.'), coerce(raw, kind));
    variables.set(
      path,
      kind === 'secret' && nonEmpty(env[variable]) === undefined ? `${variable}_FILE` : variable,
    );
  }
  const known = new Set(
    ENV_TABLE.flatMap((e) => (e.kind === 'secret' ? [e.variable, `${e.variable}_FILE`] : [e.variable])),
  );
  const unknownVariables = Object.keys(env)
    .filter((name) => name.startsWith('KEEL_') && !known.has(name))
    .sort();
  return { layer, variables, problems, unknownVariables };
}

/** Strings stay strings where the text is not a number or a boolean word, so the schema reports them. */
function coerce(raw: string, kind: EnvKind): unknown {
  const text = raw.trim();
  switch (kind) {
    case 'integer':
      return /^[+-]?\d{1,15}$/.test(text) ? Number(text) : raw;
    case 'number':
      return /^[+-]?\d{1,15}(\.\d{1,15})?$/.test(text) ? Number(text) : raw;
    case 'boolean': {
      const word = text.toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      return raw;
    }
    case 'list':
      return text
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0);
    case 'string':
      return text;
    case 'secret':
      return raw;
  }
}

function readSecretVariable(
  env: Environment,
  variable: string,
  cwd: string,
  problems: ConfigProblem[],
): string | undefined {
  const direct = nonEmpty(env[variable]);
  const filePath = nonEmpty(env[`${variable}_FILE`]);
  if (direct !== undefined && filePath !== undefined) {
    problems.push({
      path: variable,
      expected: `only one of ${variable} and ${variable}_FILE`,
      got: 'both',
      source: 'env',
      variable,
    });
    return undefined;
  }
  if (filePath === undefined) return direct;
  try {
    return readFileSync(resolve(cwd, filePath), 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    problems.push({
      path: `${variable}_FILE`,
      expected: 'a readable file holding the secret',
      got: `${JSON.stringify(filePath)} (${reason})`,
      source: 'env',
      variable: `${variable}_FILE`,
    });
    return undefined;
  }
}

/** An empty variable counts as unset, the way shells and compose files commonly clear a value. */
function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
