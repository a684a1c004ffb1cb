// What instances tell each other about one breaker, as it travels through Redis.

/** A breaker opened on `instanceId`; epoch ms on that instance's clock. */
export interface OpenDecision {
  readonly kind: 'open';
  readonly name: string;
  readonly instanceId: string;
  readonly openedAtMs: number;
  readonly retryAtMs: number;
  readonly reopenCount: number;
}

/** A probe succeeded on `instanceId` (or someone reset the breaker): everyone may call again. */
export interface CloseDecision {
  readonly kind: 'close';
  readonly name: string;
  readonly instanceId: string;
}

export type BreakerDecision = OpenDecision | CloseDecision;

/** Parses a decision read from Redis; undefined for anything malformed (never trusted blindly). */
export function parseBreakerDecision(text: string): BreakerDecision | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const fields = value as Record<string, unknown>;
  const { kind, name, instanceId } = fields;
  if (typeof name !== 'string' || typeof instanceId !== 'string') return undefined;
  if (kind === 'close') return { kind, name, instanceId };
  if (kind !== 'open') return undefined;
  const { openedAtMs, retryAtMs, reopenCount } = fields;
  if (!isCount(openedAtMs) || !isCount(retryAtMs) || !isCount(reopenCount)) return undefined;
  if (retryAtMs < openedAtMs) return undefined;
  return { kind, name, instanceId, openedAtMs, retryAtMs, reopenCount };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
