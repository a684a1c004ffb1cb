// Composes policies outer -> inner into one Policy. Each layer's context is merged into the next,
// so retry's `attempt`, tags and the innermost signal (e.g. timeout's) all reach the function.
import { neverAbortedSignal, type Policy, type PolicyContext } from './policy.js';

/** Runs the function directly: the identity of composition. */
export const noopPolicy: Policy = {
  async execute<T>(fn: (context: PolicyContext) => Promise<T> | T, signal?: AbortSignal): Promise<T> {
    return fn({ signal: signal ?? neverAbortedSignal });
  },
};

/** Policies per wrap: deep stacks are a design smell and cost a frame each. */
export const WRAP_POLICIES_MAX = 16;

export interface WrappedPolicy extends Policy {
  readonly policies: readonly Policy[];
}

export function wrap(...policies: Policy[]): WrappedPolicy {
  if (policies.length > WRAP_POLICIES_MAX)
    throw new RangeError(`wrap takes at most ${WRAP_POLICIES_MAX} policies, was ${policies.length}`);
  const layers = [...policies];
  return {
    policies: layers,
    execute<T>(fn: (context: PolicyContext) => Promise<T> | T, signal?: AbortSignal): Promise<T> {
      return runFrom(layers, 0, { signal: signal ?? neverAbortedSignal }, fn);
    },
  };
}

/** Runs layers[index] and, inside it, the layers after it, then fn. No closure per call but each layer's. */
function runFrom<T>(
  layers: readonly Policy[],
  index: number,
  outer: PolicyContext,
  fn: (context: PolicyContext) => Promise<T> | T,
): Promise<T> {
  const layer = layers[index];
  if (layer === undefined) return Promise.resolve().then(() => fn(outer));
  return layer.execute((inner) => runFrom(layers, index + 1, mergeContexts(outer, inner), fn), outer.signal);
}

/** Inner values win, but an inner layer that does not set a field keeps the outer one. */
export function mergeContexts(outer: PolicyContext, inner: PolicyContext): PolicyContext {
  return new MergedContext(outer, inner);
}

/**
 * The signal is read from the inner context on demand: a layer may make its signal lazily (timeout),
 * and most functions never read it. Other fields are copied, inner over outer.
 */
class MergedContext implements PolicyContext {
  readonly #inner: PolicyContext;
  [field: string]: unknown;

  constructor(outer: PolicyContext, inner: PolicyContext) {
    this.#inner = inner;
    copyFields(this, outer);
    copyFields(this, inner);
    const tags =
      outer.tags === undefined || inner.tags === undefined ? undefined : { ...outer.tags, ...inner.tags };
    if (tags !== undefined) this['tags'] = tags;
  }

  get signal(): AbortSignal {
    return this.#inner.signal;
  }
}

/** Own fields of `source` other than the signal, skipping undefined ones (they never override). */
function copyFields(target: Record<string, unknown>, source: PolicyContext): void {
  for (const field of Object.keys(source)) {
    if (field === 'signal') continue;
    const value = (source as unknown as Record<string, unknown>)[field];
    if (value !== undefined) target[field] = value;
  }
}
