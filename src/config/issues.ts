// Maps zod issues to config problems: path, expected text, a safe description of what was found, source.
import type { z } from 'zod';
import { getPath, type SourceMap, sourceOf } from './merge.js';
import { type ConfigProblem, describeType, describeValue } from './problems.js';

export interface IssueContext {
  readonly schema: z.ZodType;
  readonly input: unknown;
  readonly sources: SourceMap;
  readonly variables: ReadonlyMap<string, string>;
}

export function issuesToProblems(
  issues: readonly z.core.$ZodIssue[],
  context: IssueContext,
): ConfigProblem[] {
  return issues.flatMap((issue) => {
    const keys = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(context.schema, keys);
      return issue.keys.map((key) => {
        const path = [...keys, key].join('.');
        const suggestion = closest(key, known);
        return withSource(context, {
          path,
          expected:
            suggestion === undefined
              ? 'no such key (not in the schema)'
              : `no such key (did you mean "${suggestion}"?)`,
          got: describeType(getPath(context.input, [...keys, key])),
        });
      });
    }
    const path = keys.length === 0 ? '(root)' : keys.join('.');
    return [
      withSource(context, {
        path,
        expected: expectedText(issue),
        got: describeValue(getPath(context.input, keys), path),
      }),
    ];
  });
}

function withSource(context: IssueContext, problem: Omit<ConfigProblem, 'source'>): ConfigProblem {
  const source = sourceOf(context.sources, problem.path);
  const variable = source === 'env' ? variableOf(context.variables, problem.path) : undefined;
  return variable === undefined ? { ...problem, source } : { ...problem, source, variable };
}

function variableOf(variables: ReadonlyMap<string, string>, path: string): string | undefined {
  for (const [configPath, variable] of variables) {
    if (path === configPath || path.startsWith(`${configPath}.`) || configPath.startsWith(`${path}.`))
      return variable;
  }
  return undefined;
}

/** Our field builders set the expected text as the message; zod's own messages start upper-case. */
function expectedText(issue: z.core.$ZodIssue): string {
  if (!/^[A-Z]/.test(issue.message)) return issue.message;
  if (issue.code === 'invalid_type') return issue.expected === 'object' ? 'an object' : issue.expected;
  return issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
}

interface SchemaDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  valueType?: z.ZodType;
  options?: readonly z.ZodType[];
}

const defOf = (node: z.ZodType): SchemaDef => (node as unknown as { _zod: { def: SchemaDef } })._zod.def;

/** The keys the schema allows at a path, for "did you mean" hints. */
function knownKeysAt(schema: z.ZodType, keys: readonly string[]): string[] {
  let node: z.ZodType | undefined = schema;
  for (let depth = 0; node !== undefined && depth < 64; depth++) {
    const def = defOf(node);
    if (def.innerType !== undefined) node = def.innerType;
    // A preprocess is a pipe from a transform: the schema is its output side.
    else if (def.type === 'pipe')
      node = def.in !== undefined && defOf(def.in).type === 'transform' ? def.out : def.in;
    // A map of names (alert channels): any name, then the value's schema.
    else if (def.type === 'record' && def.valueType !== undefined) {
      if (keys.length === 0) return [];
      node = def.valueType;
      keys = keys.slice(1);
    }
    // A union of kinds: the keys of every member.
    else if (def.type === 'union' && def.options !== undefined)
      return [...new Set(def.options.flatMap((option) => knownKeysAt(option, keys)))];
    else if (def.type === 'object' && def.shape !== undefined) {
      if (keys.length === 0) return Object.keys(def.shape);
      const [head, ...rest] = keys;
      node = head === undefined ? undefined : def.shape[head];
      keys = rest;
    } else return [];
  }
  return [];
}

function closest(key: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(key.toLowerCase(), name.toLowerCase());
    if (distance <= 3 && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
