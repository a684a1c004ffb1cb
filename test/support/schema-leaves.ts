// Every leaf of a zod schema as a dotted path: objects are walked, defaults, optionals and pipes are
// looked through, a record's values sit under `*`, and a union's members merge their leaves (the
// breaker kinds, the alert channel kinds). Anything else (a string, a number, a list) is a leaf.
import type { z } from 'zod';

interface Def {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly out?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly options?: readonly z.ZodType[];
}

const defOf = (node: z.ZodType): Def => (node as unknown as { _zod: { def: Def } })._zod.def;

export function schemaLeaves(schema: z.ZodType, prefix = ''): string[] {
  return [...new Set(walk(schema, prefix, 0))].sort();
}

function walk(node: z.ZodType, path: string, depth: number): string[] {
  if (depth > 64) throw new Error(`schema too deep at ${path}`);
  const def = defOf(node);
  if (def.innerType !== undefined) return walk(def.innerType, path, depth + 1);
  if (def.type === 'pipe' && def.in !== undefined && def.out !== undefined) {
    // A preprocess (transform → schema) is its output; a transform after a schema is its input.
    const inner = defOf(def.in).type === 'transform' ? def.out : def.in;
    return walk(inner, path, depth + 1);
  }
  if (def.type === 'object' && def.shape !== undefined)
    return Object.entries(def.shape).flatMap(([key, child]) => walk(child, join(path, key), depth + 1));
  if (def.type === 'record' && def.valueType !== undefined)
    return walk(def.valueType, join(path, '*'), depth + 1);
  if (def.type === 'union' && def.options !== undefined)
    return def.options.flatMap((option) => walk(option, path, depth + 1));
  return [path];
}

const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);
