// Deep merge of raw config layers, remembering which source set (or created) each path.
import type { ProblemSource } from './problems.js';
import type { RawObject } from './profiles.js';

export type SourceMap = Map<string, ProblemSource>;

export const isPlainObject = (value: unknown): value is RawObject =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.getPrototypeOf(value) === Object.prototype;

/** Merges `layer` into `target`: objects merge key by key, anything else (arrays too) replaces. */
export function mergeLayer(options: {
  target: RawObject;
  layer: RawObject;
  source: ProblemSource;
  sources: SourceMap;
  prefix?: string;
}): void {
  const { target, layer, source, sources } = options;
  const prefix = options.prefix ?? '';
  for (const [key, value] of Object.entries(layer)) {
    const path = prefix + key;
    const existing = target[key];
    if (isPlainObject(value) && isPlainObject(existing)) {
      mergeLayer({ target: existing, layer: value, source, sources, prefix: `${path}.` });
      continue;
    }
    forgetBelow(sources, path);
    sources.set(path, source);
    assign(target, key, isPlainObject(value) ? cloneInto({}, value, source, sources, `${path}.`) : value);
  }
}

/** Sets a value at a path, creating objects on the way (used to build the env layer). */
export function setPath(target: RawObject, keys: readonly string[], value: unknown): void {
  let node = target;
  for (const [index, key] of keys.entries()) {
    if (index === keys.length - 1) {
      node[key] = value;
      return;
    }
    const next = node[key];
    if (isPlainObject(next)) node = next;
    else {
      const created: RawObject = {};
      node[key] = created;
      node = created;
    }
  }
}

export function getPath(root: unknown, keys: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of keys) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** The source of a path: its own entry, else the nearest ancestor's, else 'default'. */
export function sourceOf(sources: SourceMap, path: string): ProblemSource {
  for (
    let current = path;
    current.length > 0;
    current = current.slice(0, Math.max(0, current.lastIndexOf('.')))
  ) {
    const found = sources.get(current);
    if (found !== undefined) return found;
  }
  return 'default';
}

function cloneInto(
  target: RawObject,
  value: RawObject,
  source: ProblemSource,
  sources: SourceMap,
  prefix: string,
) {
  for (const [key, inner] of Object.entries(value)) {
    sources.set(prefix + key, source);
    assign(
      target,
      key,
      isPlainObject(inner) ? cloneInto({}, inner, source, sources, `${prefix + key}.`) : inner,
    );
  }
  return target;
}

function forgetBelow(sources: SourceMap, path: string): void {
  const below = `${path}.`;
  for (const key of sources.keys()) if (key.startsWith(below)) sources.delete(key);
}

/** Defines an own property, so a "__proto__" key from a file stays data (and fails the strict schema). */
function assign(target: RawObject, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}
