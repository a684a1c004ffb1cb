// The fault vocabulary. Every rule may be scoped to a path pattern and method, fire with a probability,
// stop after `countMax` injections, and live only inside [startAtMs, endAtMs) on the simulator clock.
import { z } from 'zod';

const common = {
  /**
   * Glob on the path without query (on the channel name for ws* kinds): `*` matches any run of
   * characters; `*` alone is global.
   */
  path: z.string().min(1).max(200).default('*'),
  method: z.enum(['GET', 'POST']).optional(),
  probability: z.number().min(0).max(1).default(1),
  countMax: z.number().int().positive().optional(),
  startAtMs: z.number().int().nonnegative().optional(),
  endAtMs: z.number().int().nonnegative().optional(),
};
const serverErrorStatus = z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(504)]);
const latencyMsMax = 600_000;

export const chaosRuleSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('latency'),
    ...common,
    latencyMs: z.number().int().min(0).max(latencyMsMax),
    jitterMs: z.number().int().min(0).max(latencyMsMax).default(0),
  }),
  z.strictObject({ kind: z.literal('error'), ...common, status: serverErrorStatus.default(500) }),
  z.strictObject({ kind: z.literal('reset'), ...common }),
  z.strictObject({ kind: z.literal('hang'), ...common }),
  z.strictObject({
    kind: z.literal('commitThenFail'),
    ...common,
    failWith: z.enum(['error', 'reset', 'hang']).default('error'),
    status: serverErrorStatus.default(502),
  }),
  /** A proxy in front of Nobitex forwards the request (the handler runs), then answers a 4xx of its own. */
  z.strictObject({
    kind: z.literal('proxyReject'),
    ...common,
    status: z.union([z.literal(400), z.literal(409), z.literal(422)]).default(400),
    body: z.enum(['html', 'json']).default('html'),
  }),
  z.strictObject({
    kind: z.literal('rateLimitStorm'),
    ...common,
    backOffSeconds: z.number().int().min(1).max(3_600).default(30),
    limit: z.number().int().min(0).max(100_000).default(10),
  }),
  z.strictObject({ kind: z.literal('outage'), ...common, mode: z.enum(['503', 'reset']).default('503') }),
  z.strictObject({ kind: z.literal('staleOrderbook'), ...common }),
  /** Every fill of an order placed while this fires is booked as `pieces` trades (Nobitex splits fills). */
  z.strictObject({ kind: z.literal('splitTrades'), ...common, pieces: z.number().int().min(2).max(100) }),
  /** HTTP 401 as Nobitex answers a revoked or expired token: the credentials are refused. */
  z.strictObject({ kind: z.literal('authFailure'), ...common }),
  /** WebSocket: the connection is closed instead of delivering a publication (the publication is lost). */
  z.strictObject({ kind: z.literal('wsDrop'), ...common }),
  /** WebSocket: a publication is lost and the connection stays up (nothing tells the client). */
  z.strictObject({ kind: z.literal('wsLose'), ...common }),
  /** WebSocket: no frame at all (publications lost, no pings) for stallMs; the connection stays open. */
  z.strictObject({
    kind: z.literal('wsStall'),
    ...common,
    stallMs: z.number().int().min(1).max(latencyMsMax),
  }),
  /** WebSocket: a publication is delivered twice. */
  z.strictObject({ kind: z.literal('wsDuplicate'), ...common }),
  /** WebSocket: a publication is held back and delivered after the next one (or after holdMs). */
  z.strictObject({
    kind: z.literal('wsReorder'),
    ...common,
    holdMs: z.number().int().min(1).max(latencyMsMax).default(100),
  }),
  z.strictObject({
    kind: z.literal('drift'),
    ...common,
    token: z.string().regex(/^[0-9a-f]{40}$/),
    currency: z.string().min(2).max(10),
    /** The new balance (decimal string); or use `delta` to add to it. */
    balance: z.string().optional(),
    delta: z.string().optional(),
  }),
]);

export type ChaosRuleSpec = z.input<typeof chaosRuleSchema>;
export type ChaosRuleParsed = z.output<typeof chaosRuleSchema>;
export type ChaosKind = ChaosRuleParsed['kind'];
export type ChaosRule = ChaosRuleParsed & { readonly id: number };

export const CHAOS_KINDS: readonly ChaosKind[] = [
  'latency',
  'error',
  'reset',
  'hang',
  'commitThenFail',
  'proxyReject',
  'rateLimitStorm',
  'outage',
  'staleOrderbook',
  'splitTrades',
  'drift',
  'authFailure',
  'wsDrop',
  'wsLose',
  'wsStall',
  'wsDuplicate',
  'wsReorder',
];

/** Kinds that act on WebSocket publications (matched on the channel name), never on HTTP requests. */
export const WS_CHAOS_KINDS: ReadonlySet<ChaosKind> = new Set([
  'wsDrop',
  'wsLose',
  'wsStall',
  'wsDuplicate',
  'wsReorder',
]);

export const chaosCommandSchema = z.union([
  z.strictObject({ action: z.literal('add'), rules: z.array(chaosRuleSchema).min(1).max(1_000) }),
  z.strictObject({ action: z.literal('clear'), ids: z.array(z.number().int()).max(1_000).optional() }),
  z.strictObject({
    action: z.literal('setMarketClosed'),
    symbol: z.string().min(3).max(20),
    closed: z.boolean(),
  }),
  /** Moves a market to a price at once (through protective stops), from another process. */
  z.strictObject({
    action: z.literal('setPrice'),
    symbol: z.string().min(3).max(20),
    price: z.string().regex(/^\d+(\.\d+)?$/),
  }),
]);
export type ChaosCommand = z.input<typeof chaosCommandSchema>;

export function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}
