// The fault controller. Rules are matched in insertion order; every random choice draws from the
// seeded Rng, and every delay runs on the injected clock, so a scenario replays exactly.
import type { Clock, TimerHandle } from '../../core/clock.js';
import { type Rng, randomInt } from '../../core/random.js';
import {
  CHAOS_KINDS,
  type ChaosCommand,
  type ChaosKind,
  type ChaosRule,
  type ChaosRuleSpec,
  chaosCommandSchema,
  chaosRuleSchema,
  globToRegExp,
  WS_CHAOS_KINDS,
} from './chaos-rules.js';

/** Rules alive at once: a schedule bigger than this is a mistake. */
export const CHAOS_RULES_MAX = 1_000;

export type TerminalFault = Extract<
  ChaosRule,
  {
    kind:
      | 'error'
      | 'reset'
      | 'hang'
      | 'commitThenFail'
      | 'proxyReject'
      | 'rateLimitStorm'
      | 'outage'
      | 'authFailure';
  }
>;
export type DriftRule = Extract<ChaosRule, { kind: 'drift' }>;
type WsRule = Extract<ChaosRule, { kind: 'wsDrop' | 'wsLose' | 'wsStall' | 'wsDuplicate' | 'wsReorder' }>;
const isWsRule = (rule: ChaosRule): rule is WsRule => WS_CHAOS_KINDS.has(rule.kind);

export interface RequestFaults {
  readonly latencyMs: number;
  readonly terminal: TerminalFault | undefined;
}

/** What happens to one WebSocket publication; all false/0 when no rule fires. */
export interface PublicationFaults {
  readonly drop: boolean;
  /** Not sent, and the connection stays up. */
  readonly lose: boolean;
  readonly stallMs: number;
  readonly duplicate: boolean;
  /** Hold the publication back this long, or until the next one is sent; 0 = send in order. */
  readonly holdMs: number;
}

export interface ChaosHooks {
  readonly applyDrift: (rule: DriftRule) => void;
  readonly setMarketClosed: (symbol: string, closed: boolean) => void;
  readonly setPrice: (symbol: string, price: string) => void;
}

interface RuleState {
  readonly rule: ChaosRule;
  readonly pattern: RegExp;
  injected: number;
  timer: TimerHandle | undefined;
  /** staleOrderbook: responses frozen at first use, by request URL. */
  readonly frozen: Map<string, unknown>;
}

export class ChaosController {
  #nextId = 1;
  readonly #rules: RuleState[] = [];
  readonly #stats = Object.fromEntries(CHAOS_KINDS.map((k) => [k, 0])) as Record<ChaosKind, number>;

  constructor(
    private readonly clock: Clock,
    private readonly rng: Rng,
    private readonly hooks: ChaosHooks,
  ) {}

  /** Validates and adds rules; returns them with their ids. */
  add(specs: ChaosRuleSpec | readonly ChaosRuleSpec[]): ChaosRule[] {
    const list = Array.isArray(specs) ? specs : [specs as ChaosRuleSpec];
    const parsed = list.map((spec) => chaosRuleSchema.parse(spec));
    if (this.#rules.length + parsed.length > CHAOS_RULES_MAX)
      throw new RangeError(
        `at most ${CHAOS_RULES_MAX} chaos rules, was ${this.#rules.length + parsed.length}`,
      );
    return parsed.map((p) => {
      const rule: ChaosRule = { ...p, id: this.#nextId++ };
      const state: RuleState = {
        rule,
        pattern: globToRegExp(rule.path),
        injected: 0,
        timer: undefined,
        frozen: new Map(),
      };
      this.#rules.push(state);
      if (rule.kind === 'drift') this.#scheduleDrift(state, rule);
      return rule;
    });
  }

  /** Removes the given rules, or all of them. */
  clear(ids?: readonly number[]): void {
    for (let i = this.#rules.length - 1; i >= 0; i--) {
      const state = this.#rules[i];
      if (state === undefined || (ids !== undefined && !ids.includes(state.rule.id))) continue;
      if (state.timer !== undefined) this.clock.clearTimeout(state.timer);
      this.#rules.splice(i, 1);
    }
  }

  /** The HTTP endpoint's operations: add, clear, setMarketClosed, setPrice. */
  apply(command: ChaosCommand): { rules?: ChaosRule[] } {
    const parsed = chaosCommandSchema.parse(command);
    if (parsed.action === 'add') return { rules: this.add(parsed.rules) };
    if (parsed.action === 'clear') this.clear(parsed.ids);
    else if (parsed.action === 'setPrice') this.hooks.setPrice(parsed.symbol, parsed.price);
    else this.hooks.setMarketClosed(parsed.symbol, parsed.closed);
    return {};
  }

  setMarketClosed(symbol: string, closed: boolean): void {
    this.hooks.setMarketClosed(symbol, closed);
  }

  rules(): ChaosRule[] {
    return this.#rules.map((s) => s.rule);
  }

  /** Injected faults so far, by kind. */
  stats(): Record<ChaosKind, number> {
    return { ...this.#stats };
  }

  /** Faults for one request: summed latency, then the first terminal fault that fires. */
  forRequest(method: string, path: string): RequestFaults {
    let latencyMs = 0;
    let terminal: TerminalFault | undefined;
    for (const state of this.#rules) {
      const rule = state.rule;
      if (rule.kind === 'drift' || rule.kind === 'staleOrderbook' || rule.kind === 'splitTrades') continue;
      if (isWsRule(rule)) continue;
      if (rule.kind !== 'latency' && terminal !== undefined) continue;
      if (!this.#fires(state, method, path)) continue;
      if (rule.kind === 'latency')
        latencyMs += rule.latencyMs + (rule.jitterMs > 0 ? randomInt(this.rng, 0, rule.jitterMs) : 0);
      else terminal = rule;
    }
    return { latencyMs, terminal };
  }

  /** Faults for one WebSocket publication on `channel`: each ws* rule that fires. */
  forPublication(channel: string): PublicationFaults {
    let drop = false;
    let lose = false;
    let stallMs = 0;
    let duplicate = false;
    let holdMs = 0;
    for (const state of this.#rules) {
      const rule = state.rule;
      if (!isWsRule(rule) || !this.#fires(state, 'WS', channel)) continue;
      if (rule.kind === 'wsDrop') drop = true;
      else if (rule.kind === 'wsLose') lose = true;
      else if (rule.kind === 'wsStall') stallMs = Math.max(stallMs, rule.stallMs);
      else if (rule.kind === 'wsDuplicate') duplicate = true;
      else if (rule.kind === 'wsReorder') holdMs = Math.max(holdMs, rule.holdMs);
    }
    return { drop, lose, stallMs, duplicate, holdMs };
  }

  /** A frozen-response cache while a staleOrderbook rule fires for this request, else undefined. */
  staleCache(method: string, path: string): Map<string, unknown> | undefined {
    for (const state of this.#rules) {
      if (state.rule.kind === 'staleOrderbook' && this.#fires(state, method, path)) return state.frozen;
    }
    return undefined;
  }

  /** How many trades each fill of an order placed by this request becomes: 1 unless splitTrades fires. */
  tradePieces(method: string, path: string): number {
    for (const state of this.#rules) {
      if (state.rule.kind === 'splitTrades' && this.#fires(state, method, path)) return state.rule.pieces;
    }
    return 1;
  }

  dispose(): void {
    for (const state of this.#rules) if (state.timer !== undefined) this.clock.clearTimeout(state.timer);
  }

  #fires(state: RuleState, method: string, path: string): boolean {
    const { rule } = state;
    const nowMs = this.clock.nowMs();
    if (rule.method !== undefined && rule.method !== method) return false;
    if (!state.pattern.test(path)) return false;
    if (rule.startAtMs !== undefined && nowMs < rule.startAtMs) return false;
    if (rule.endAtMs !== undefined && nowMs >= rule.endAtMs) return false;
    if (rule.countMax !== undefined && state.injected >= rule.countMax) return false;
    if (rule.probability < 1 && this.rng.next() >= rule.probability) return false;
    state.injected++;
    this.#stats[rule.kind]++;
    return true;
  }

  #scheduleDrift(state: RuleState, rule: DriftRule): void {
    const run = () => {
      state.timer = undefined;
      if (rule.endAtMs !== undefined && this.clock.nowMs() >= rule.endAtMs) return;
      state.injected++;
      this.#stats.drift++;
      this.hooks.applyDrift(rule);
    };
    const delayMs = (rule.startAtMs ?? 0) - this.clock.nowMs();
    if (delayMs <= 0) run();
    else state.timer = this.clock.setTimeout(run, delayMs);
  }
}
