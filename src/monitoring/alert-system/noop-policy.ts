import { neverAbortedSignal, type Policy, type PolicyContext } from '../../core/policy.js';

/** Runs the function as is: the default where a channel is given no resilience policy. */
export function noopPolicyFor(): Policy {
  return {
    async execute<T>(fn: (context: PolicyContext) => Promise<T> | T, signal?: AbortSignal): Promise<T> {
      return fn({ signal: signal ?? neverAbortedSignal });
    },
  };
}
