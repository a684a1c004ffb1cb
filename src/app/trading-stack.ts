// Positions per strategy, the order canceller, close and cancel: built once, used by the engine
// (`action: close|cancel`) and by the trading API.
import type { Clock } from '../core/clock.js';
import { StrategyActions } from '../engine/strategy-actions.js';
import type { OrderJournal } from '../exchange/order-journal/order-journal.js';
import type { VerificationGateway } from '../exchange/transaction-verification/gateway.js';
import { OrderCanceller } from '../exchange/transaction-verification/order-canceller.js';
import type { Logger } from '../logging/logger.js';
import type { SignalStore } from '../market-data/signal-store.js';
import type { TradingSource } from '../monitoring/api/trading-source.js';
import type { Ledger } from '../position/ledger.js';
import { StrategyPositions } from '../position/strategy-positions.js';
import { AppTradingSource } from './app-trading-source.js';

export interface TradingStackOptions {
  readonly journal: OrderJournal;
  readonly signals: SignalStore;
  readonly ledger: Ledger;
  readonly gateway: VerificationGateway;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface TradingStack {
  readonly actions: StrategyActions;
  /** The trading API's source; assertLeader throws (409) where orders may not be acted on. */
  source(assertLeader: () => void): TradingSource;
}

export function createTradingStack(options: TradingStackOptions): TradingStack {
  const { journal, signals, ledger, gateway, clock, logger } = options;
  const positions = new StrategyPositions({
    ledger,
    strategyOf: async (signalId) => (await signals.get(signalId))?.signal.strategy,
  });
  const canceller = new OrderCanceller({ gateway, journal, clock, logger });
  const actions = new StrategyActions({ journal, signals, canceller, positions, clock });
  return {
    actions,
    source: (assertLeader) =>
      new AppTradingSource({
        clock,
        ledger,
        journal,
        signals,
        positions,
        actions,
        canceller,
        gateway,
        assertLeader,
      }),
  };
}
