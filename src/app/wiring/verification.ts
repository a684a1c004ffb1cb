// Stage 4, verification: the order journal and the verifier that submits each order, finds out what
// became of it on the exchange, and posts its fills to the ledger. Nothing is sent while the engine is
// halted, the signal is stale, or (in a cluster) this instance has lost the lease.
import type { KeelConfig } from '../../config/index.js';
import type { Clock } from '../../core/clock.js';
import type { KillSwitch } from '../../engine/kill-switch.js';
import { signalStaleAtMs } from '../../engine/signal-age.js';
import { OrderJournal } from '../../exchange/order-journal/order-journal.js';
import { SendGuard } from '../../exchange/transaction-verification/send-guard.js';
import type { OrderLedgerSink } from '../../exchange/transaction-verification/transaction-verifier.js';
import { TransactionVerifier } from '../../exchange/transaction-verification/transaction-verifier.js';
import type { Logger } from '../../logging/logger.js';
import type { SignalStore } from '../../market-data/signal-store.js';
import type { Database } from '../../storage/database.js';
import type { LeaderLease } from '../../storage/leadership/leader-lease.js';
import { LeaseWriteFence } from '../../storage/leadership/lease-write-fence.js';
import type { ExchangeStack } from '../exchange-stack.js';
import type { FillStreamWiring } from '../fill-stream-wiring.js';

export interface VerificationStage {
  readonly journal: OrderJournal;
  readonly verifier: TransactionVerifier;
}

export function wireVerification(options: {
  config: KeelConfig;
  db: Database;
  clock: Clock;
  logger: Logger;
  lease: LeaderLease | undefined;
  exchange: ExchangeStack;
  /** Where fills are posted (stage 5). */
  sink: OrderLedgerSink;
  killSwitch: KillSwitch;
  signals: SignalStore;
  /** Fills pushed over the exchange's WebSocket, when enabled; polling stays the fallback. */
  fillStream: FillStreamWiring | undefined;
}): VerificationStage {
  const { config, db, clock, logger, lease, exchange, killSwitch, signals, fillStream } = options;
  // Every journal write re-checks the lease in its own transaction: a paused old leader cannot act.
  const journal = new OrderJournal({
    db,
    clock,
    ...(lease === undefined ? {} : { fence: new LeaseWriteFence(lease) }),
  });
  const verifier = new TransactionVerifier({
    ...(fillStream === undefined ? {} : { push: fillStream.stream }),
    journal,
    gateway: exchange.gateway,
    ledger: options.sink,
    clock,
    logger,
    sendGuard: new SendGuard({
      // The mode as stored, not this process's copy: a halt set on any instance or by the CLI counts.
      halted: async () => (await killSwitch.refresh()) === 'HALTED',
      staleAtMs: async (intent) => {
        if (intent.role !== 'entry') return undefined; // a protective exit is never too old to place
        const stored = await signals.get(intent.signalId);
        return stored && signalStaleAtMs(stored.signal, config.engine.signalAgeMaxMs);
      },
      lease,
      requestTimeoutMs: exchange.adapter.options.timeoutMs.orders,
      clock,
    }),
    options: {
      ...verifierOptions(config),
      ...(fillStream === undefined ? {} : { pushedPollIntervalMs: fillStream.pushedPollIntervalMs }),
    },
  });
  return { journal, verifier };
}

/** The verifier's options from the verification settings. */
export function verifierOptions(config: KeelConfig) {
  const { verification } = config;
  return {
    submitAttemptsMax: verification.submitAttemptsMax,
    absenceGraceMs: verification.absenceGraceMs,
    pollIntervalMs: verification.pollIntervalMs,
    pollIntervalMaxMs: verification.pollIntervalMaxMs,
    orderLifetimeMs: verification.limitOrderLifetimeMs,
    verifyDeadlineMs: verification.verifyDeadlineMs,
    tradesWaitMaxMs: verification.tradesWaitMaxMs,
    tradePagesMax: verification.tradePagesMax,
  };
}
