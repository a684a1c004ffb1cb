// The engine's door on the bus: the signals each intake commit stores pass here, inside that
// transaction. While the kill switch (as stored) says HALTED, order signals are refused on the spot:
// they end `rejected` (EngineHalted) in that same transaction, with one alert for the batch, and never
// go on the bus. The engine would refuse them too, one by one and later; refusing at the door keeps a
// halt's refusals off the bus and off the engine, and a signal that arrived during a halt cannot trade
// after it, however long the bus's backlog. Close and cancel still go to the engine: a cancel works
// while HALTED, and a close cancels its strategy's orders before the halt refuses its own.
import { type Disposable, EventEmitter } from '../core/events.js';
import type { AcceptOutcome, SignalStore, StoredSignal } from '../market-data/signal-store.js';
import type { Queryable } from '../storage/database.js';
import { HALTED_REFUSAL } from './decide-order.js';
import type { SignalOutcome } from './engine.js';
import type { KillSwitch } from './kill-switch.js';

/** Signals one commit refused at the door. */
export interface DoorRefusal {
  readonly signalIds: readonly string[];
  readonly code: string;
  readonly message: string;
}

/**
 * Records a refusal (its alert) inside the refusing transaction; the returned function is called once
 * that transaction committed.
 */
export type RefusalRecorder = (refusal: DoorRefusal, tx: Queryable) => Promise<() => void>;

export interface HaltedDoorOptions {
  readonly killSwitch: Pick<KillSwitch, 'modeIn'>;
  readonly signals: Pick<SignalStore, 'rejectReceived'>;
  /** Puts an admitted signal on the bus, inside the accepting transaction (Engine.enqueue). */
  readonly publish: (tx: Queryable, stored: StoredSignal) => Promise<void>;
  /** After a commit that published signals of `symbol`: wakes this process's consumer (Engine.notify). */
  readonly wake: (symbol: string) => void;
}

export class HaltedDoor {
  readonly #recorders = new Set<RefusalRecorder>();
  readonly #outcomeEmitter = new EventEmitter<SignalOutcome>();
  /** Each signal refused at the door, told once its refusal is durable. */
  readonly onSignalOutcome = this.#outcomeEmitter.addListener;

  constructor(private readonly o: HaltedDoorOptions) {}

  /** Records every refusal (its alert) in the refusing transaction, until the disposable is disposed. */
  recordRefusals(recorder: RefusalRecorder): Disposable {
    this.#recorders.add(recorder);
    return { dispose: () => void this.#recorders.delete(recorder) };
  }

  /**
   * For SignalStore's onAccepted: publishes the commit's signals, or refuses its orders while HALTED
   * (their accepts answer with the reason). Once committed, wakes the consumer for the symbols it
   * published (a refusal leaves nothing to take).
   */
  readonly admit = async (tx: Queryable, batch: readonly StoredSignal[]): Promise<AcceptOutcome> => {
    const orders = batch.filter(isOrder);
    const refused = orders.length > 0 && (await this.o.killSwitch.modeIn(tx)) === 'HALTED' ? orders : [];
    const published = new Set<string>();
    for (const stored of refused.length === 0 ? batch : batch.filter((one) => !isOrder(one))) {
      await this.o.publish(tx, stored);
      published.add(stored.signal.symbol);
    }
    const wake = () => {
      for (const symbol of published) this.o.wake(symbol);
    };
    if (refused.length === 0) return { afterCommit: wake };
    const refusal: DoorRefusal = {
      signalIds: refused.map((stored) => stored.id),
      code: HALTED_REFUSAL.code,
      message: HALTED_REFUSAL.message,
    };
    const reason = `${refusal.code}: ${refusal.message}`;
    await this.o.signals.rejectReceived(tx, refusal.signalIds, reason);
    const recorded: (() => void)[] = [];
    for (const recorder of this.#recorders) recorded.push(await recorder(refusal, tx));
    return {
      rejected: new Map(refusal.signalIds.map((signalId) => [signalId, reason])),
      afterCommit: () => {
        wake();
        for (const signalId of refusal.signalIds)
          this.#outcomeEmitter.emit({
            signalId,
            state: 'rejected',
            code: refusal.code,
            message: refusal.message,
          });
        for (const done of recorded) done();
      },
    };
  };
}

/** A signal that asks for an order (not `close` or `cancel`): what a halt refuses at the door. */
const isOrder = (stored: StoredSignal): boolean => stored.signal.action === undefined;
