// Loads the configuration once: defaults < profile defaults < config file < KEEL_* environment.
// User errors come back as problems, never as exceptions.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type DeepReadonly, deepFreeze } from './freeze.js';
import { issuesToProblems } from './issues.js';
import { isPlainObject, mergeLayer, type SourceMap, sourceOf } from './merge.js';
import { type ConfigProblem, describeType } from './problems.js';
import { PROFILE_DEFAULTS, type RawObject } from './profiles.js';
import { type Environment, readEnv } from './read-env.js';
import { checkConfig } from './relations.js';
import { configSchema, type ParsedConfig, PROFILES, type Profile } from './schema.js';

export type KeelConfig = DeepReadonly<ParsedConfig>;

export const DEFAULT_CONFIG_FILE = 'keel.config.json';

export interface LoadConfigOptions {
  /** Command-line arguments; `--config PATH` or `--config=PATH` is honoured when configPath is unset. */
  readonly argv?: readonly string[];
  /** Config file that must exist; unset means `keel.config.json` in cwd when present. */
  readonly configPath?: string;
  /** Defaults to process.env. */
  readonly env?: Environment;
  /** Base for relative paths; defaults to process.cwd(). */
  readonly cwd?: string;
}

export type LoadConfigResult =
  | {
      readonly ok: true;
      readonly config: KeelConfig;
      readonly configFile?: string;
      readonly warnings: ConfigProblem[];
    }
  | { readonly ok: false; readonly problems: ConfigProblem[]; readonly warnings: ConfigProblem[] };

export function loadConfig(options: LoadConfigOptions = {}): LoadConfigResult {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const file = readConfigFile(options.configPath ?? configPathFromArgv(options.argv ?? []), cwd);
  const fromEnv = readEnv(env, cwd);
  const warnings = fromEnv.unknownVariables.map(
    (name): ConfigProblem => ({
      path: name,
      expected: 'a known KEEL_* variable',
      got: 'a value',
      source: 'env',
      variable: name,
    }),
  );
  const early = [...file.problems, ...fromEnv.problems];
  if (early.length > 0) return { ok: false, problems: early, warnings };

  const sources: SourceMap = new Map();
  const merged: RawObject = {};
  mergeLayer({
    target: merged,
    layer: structuredClone(PROFILE_DEFAULTS[chooseProfile(fromEnv.layer, file.layer)]),
    source: 'default',
    sources,
  });
  mergeLayer({ target: merged, layer: file.layer, source: 'file', sources });
  mergeLayer({ target: merged, layer: fromEnv.layer, source: 'env', sources });

  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const context = { schema: configSchema, input: merged, sources, variables: fromEnv.variables };
    return { ok: false, problems: issuesToProblems(parsed.error.issues, context), warnings };
  }
  const problems = checkConfig(parsed.data).map((violation): ConfigProblem => {
    const source = sourceOf(sources, violation.path);
    const variable = source === 'env' ? fromEnv.variables.get(violation.path) : undefined;
    return variable === undefined ? { ...violation, source } : { ...violation, source, variable };
  });
  if (problems.length > 0) return { ok: false, problems, warnings };
  const config = deepFreeze(parsed.data);
  return file.path === undefined
    ? { ok: true, config, warnings }
    : { ok: true, config, configFile: file.path, warnings };
}

/** The profile's defaults apply before the file is parsed, so pick it from the raw env var, then the file. */
function chooseProfile(envLayer: RawObject, fileLayer: RawObject): Profile {
  for (const candidate of [envLayer['env'], fileLayer['env']]) {
    const profile = PROFILES.find((name) => name === candidate);
    if (profile !== undefined) return profile;
  }
  return 'development';
}

interface FileLayer {
  readonly layer: RawObject;
  readonly path?: string;
  readonly problems: ConfigProblem[];
}

function readConfigFile(explicitPath: string | undefined, cwd: string): FileLayer {
  const path = resolve(cwd, explicitPath ?? DEFAULT_CONFIG_FILE);
  if (explicitPath === undefined && !existsSync(path)) return { layer: {}, problems: [] };
  const fail = (expected: string, got: string): FileLayer => ({
    layer: {},
    problems: [{ path: explicitPath ?? DEFAULT_CONFIG_FILE, expected, got, source: 'file' }],
  });
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return fail(
      'an existing, readable config file',
      `${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return fail('valid JSON', (error as Error).message);
  }
  if (!isPlainObject(raw)) return fail('a JSON object at the top level', describeType(raw));
  return { layer: raw, path, problems: [] };
}

function configPathFromArgv(argv: readonly string[]): string | undefined {
  for (const [index, arg] of argv.entries()) {
    if (arg === '--config') return argv[index + 1];
    if (arg.startsWith('--config=')) return arg.slice('--config='.length);
  }
  return undefined;
}
