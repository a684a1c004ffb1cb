// What every phase gets: the running app, the simulator, the narration, and helpers that talk to Keel
// the way TradingView and an operator would (HTTP), plus the direct reads a check needs.
import type { KeelApp } from '../../src/app/keel-app.js';
import type { Disposable } from '../../src/core/events.js';
import type { AdapterBreakerEvent } from '../../src/exchange/enhanced-nobitex-adapter/adapter-events.js';
import { SIMULATOR_DEFAULT_TOKEN, type Simulator } from '../../src/exchange/simulator/index.js';
import type { StoredSignal } from '../../src/market-data/signal-store.js';
import type { DemoTimings } from './demo-app.js';
import { check } from './demo-errors.js';
import type { Progress } from './progress.js';
import { waitFor } from './wait.js';

export interface DemoSignal {
  readonly side: 'buy' | 'sell';
  readonly amount: string;
  readonly symbol?: string;
}

/** Breaker transitions kept; the scripted run makes a few dozen at most. */
const BREAKER_CHANGES_MAX = 1_000;

export class DemoContext {
  #sequence = 0;
  /** Every signal the demo sent, in order. */
  readonly signalIds: string[] = [];
  /** Every breaker transition since the demo started, oldest first (bounded by the demo's length). */
  readonly breakerChanges: AdapterBreakerEvent[] = [];
  /** Attempts per exchange endpoint since the demo started (refusals by an open breaker count 0). */
  readonly exchangeAttempts = new Map<string, number>();
  readonly #subscriptions: Disposable[];

  constructor(
    readonly app: KeelApp,
    readonly simulator: Simulator,
    readonly progress: Progress,
    readonly timings: DemoTimings,
    private readonly http: { baseUrl: string; passphrase: string; dashboardToken: string | undefined },
  ) {
    const { adapter } = app.exchange;
    this.#subscriptions = [
      adapter.onBreakerStateChange((change) => {
        if (this.breakerChanges.length < BREAKER_CHANGES_MAX) this.breakerChanges.push(change);
      }),
      adapter.onCall((call) =>
        this.exchangeAttempts.set(
          call.endpoint,
          (this.exchangeAttempts.get(call.endpoint) ?? 0) + call.attempts,
        ),
      ),
    ];
  }

  dispose(): void {
    for (const subscription of this.#subscriptions) subscription.dispose();
  }

  get token(): string {
    return SIMULATOR_DEFAULT_TOKEN;
  }

  /** POSTs a TradingView alert to the webhook; returns the accepted signal's id. */
  async sendSignal(signal: DemoSignal): Promise<string> {
    this.#sequence += 1;
    const body = {
      passphrase: this.http.passphrase,
      symbol: signal.symbol ?? 'BTCIRT',
      side: signal.side,
      amount: signal.amount,
      id: `demo-${process.pid}-${Date.now()}-${this.#sequence}`,
      timenow: new Date().toISOString(),
    };
    const response = await fetch(`${this.http.baseUrl}/webhooks/tradingview`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as { status?: string; signalId?: string };
    check(
      response.status === 202 && typeof answer.signalId === 'string',
      `webhook answered ${response.status} ${answer.status ?? ''} instead of 202 accepted`,
    );
    this.signalIds.push(answer.signalId);
    return answer.signalId;
  }

  /** GETs a dashboard API path (with the bearer token when one is configured). */
  async api<T>(path: string): Promise<T> {
    const headers: Record<string, string> =
      this.http.dashboardToken === undefined ? {} : { authorization: `Bearer ${this.http.dashboardToken}` };
    const response = await fetch(`${this.http.baseUrl}/api${path}`, { headers });
    check(response.ok, `GET /api${path} answered ${response.status}`);
    return (await response.json()) as T;
  }

  async signal(signalId: string): Promise<StoredSignal> {
    const stored = await this.app.signals.get(signalId);
    check(stored !== undefined, `signal ${signalId} is not in the store`);
    return stored;
  }

  /** Waits until the signal is executed or rejected; checks it was executed. */
  async awaitExecuted(signalId: string, timeoutMs: number): Promise<StoredSignal> {
    const stored = await waitFor(
      async () => {
        const current = await this.signal(signalId);
        return current.state === 'executed' || current.state === 'rejected' || current.state === 'quarantined'
          ? current
          : undefined;
      },
      { timeoutMs, what: `signal ${signalId} to finish` },
    );
    check(
      stored.state === 'executed',
      `signal ${signalId} ended ${stored.state}${stored.lastError ? ` (${stored.lastError})` : ''}`,
    );
    return stored;
  }

  /** Orders on the simulator carrying this client order id (the exchange's ground truth). */
  exchangeOrdersFor(clientOrderId: string) {
    return this.simulator.groundTruthOrders().filter((order) => order.clientOrderId === clientOrderId);
  }
}
