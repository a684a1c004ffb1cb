// Helpers for the every-setting test (test/config/every-setting.test.ts). A probe changes one config
// leaf and observes the component built from the config; the test compares the two observations.
// Adding a probe is one line: `'section.leaf': leaf(VALUE, observe)`, with an observe helper below.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSecret, type KeelConfig, loadConfig } from '../../src/config/index.js';

export type ConfigInput = Record<string, unknown>;

export interface Probe {
  /** The input both sides share (a breaker kind, a required sibling, live mode). Default `{}`. */
  readonly base: ConfigInput;
  /** The input of the changed side: base with the leaf set to another valid value. */
  readonly changed: ConfigInput;
  /** What the component built from a config shows; plain data (secrets revealed, no functions). */
  readonly observe: (config: KeelConfig) => unknown;
}

type PartialProbe = Omit<Probe, 'changed'> & { readonly value: unknown; readonly at?: string };

/** A probe of a leaf: set `value` at the leaf's path (or `at`, for a record's `*`) over `base`. */
export function leaf(value: unknown, observe: Probe['observe'], base: ConfigInput = {}): PartialProbe {
  return { value, observe, base };
}

/** A probe of a record leaf (`…*`) or any leaf whose changed input is not one path: give it whole. */
export function input(changed: ConfigInput, observe: Probe['observe'], base: ConfigInput = {}): Probe {
  return { base, changed: merge(base, changed), observe };
}

/** Completes a table of probes: a `leaf()` probe gets its changed input from its key. */
export function probeTable(table: Record<string, PartialProbe | Probe>): Map<string, Probe> {
  return new Map(
    Object.entries(table).map(([path, probe]) => [
      path,
      'changed' in probe
        ? probe
        : {
            base: probe.base,
            changed: merge(probe.base, setPath(probe.at ?? path, probe.value)),
            observe: probe.observe,
          },
    ]),
  );
}

/** Loads a config input as a config file, the way Keel does (profile defaults, relations), no env. */
export function configOf(input: ConfigInput): KeelConfig {
  const dir = mkdtempSync(join(tmpdir(), 'keel-probe-'));
  try {
    const configPath = join(dir, 'keel.config.json');
    writeFileSync(configPath, JSON.stringify(input));
    const result = loadConfig({ env: {}, cwd: dir, configPath });
    if (!result.ok) throw new Error(`probe config refused: ${JSON.stringify(result.problems)}`);
    return result.config;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Observations as plain data: secrets revealed (Secret instances all look alike to toEqual). */
export function plain(value: unknown): unknown {
  if (isSecret(value)) return { secret: value.reveal() };
  if (typeof value === 'function') throw new TypeError('an observation must be data; call the function');
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]));
  return value;
}

function setPath(path: string, value: unknown): ConfigInput {
  const keys = path.split('.');
  return keys.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as ConfigInput;
}

function merge(base: ConfigInput, over: ConfigInput): ConfigInput {
  const out: ConfigInput = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const existing = out[key];
    out[key] =
      isObject(existing) && isObject(value) ? merge(existing as ConfigInput, value as ConfigInput) : value;
  }
  return out;
}

const isObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);
