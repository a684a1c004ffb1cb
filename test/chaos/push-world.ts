// Fills pushed in the chaos world (issue 16): the app's real FillStream runs on an in-process link
// instead of a socket. The link takes the simulator's own publications (the payloads its WebSocket
// sends), applies the simulator's ws* chaos rules to each (drop = the connection closes, lose, stall,
// duplicate, reorder) and delivers them on the fake clock; after every gap it reconnects, fetching a
// token over REST each time. Every delay and choice comes from a seeded Rng, so a seed replays exactly.
// It also records what the invariants about pushed fills need: the gaps, and the REST lookups of
// single orders made during them.
import type { Clock, TimerHandle } from '../../src/core/clock.js';
import type { Disposable } from '../../src/core/events.js';
import { pick, type Rng, randomInt } from '../../src/core/random.js';
import { AdapterVerificationGateway } from '../../src/exchange/enhanced-nobitex-adapter/adapter-verification-gateway.js';
import type { OpenPushLink, PushLink, PushLinkRequest } from '../../src/exchange/fill-stream/push-link.js';
import type { Simulator } from '../../src/exchange/simulator/index.js';
import type { WsPublication } from '../../src/exchange/simulator/ws/ws-hub.js';
import type { ExchangeOrder } from '../../src/exchange/transaction-verification/gateway.js';

/** Silence after which the client notices a stalled connection (server ping period + allowed delay), ms. */
export const STALL_NOTICED_MS = 8_000;
/** Waits before the next connection attempt after a gap: mostly short, sometimes minutes. */
const RECONNECT_DELAYS_MS = [200, 500, 1_000, 2_000, 5_000, 20_000, 90_000];
/** Network delay of one publication, ms (publications stay in order). */
const DELIVERY_DELAY_MAX_MS = 40;
/** Publications held back for reordering at once (as the simulator's socket). */
const HELD_MAX = 100;

/** A span when an app's link was open but not up (from its opening, or a drop, to the next up). */
export interface PushGap {
  /** The app generation whose link it was. */
  readonly generation: number;
  readonly fromMs: number;
  /** When the link came up again or was closed; undefined while the gap lasts. */
  toMs: number | undefined;
}

export class ChaosPushNetwork {
  readonly gaps: PushGap[] = [];
  /** Verification's lookups of one order: when (fake ms), and its exchange id or clientOrderId. */
  readonly lookups: { readonly atMs: number; readonly key: string }[] = [];
  /** When each app generation's trading had started (resume done), fake ms. */
  readonly tradingSince = new Map<number, number>();
  readonly counts: Record<string, number> = {
    links: 0,
    connects: 0,
    tokenFailures: 0,
    delivered: 0,
    gaps: 0,
    cuts: 0,
  };
  /** Connections are refused until then (a cut: the socket's path down while REST works), fake ms. */
  refusedUntilMs = 0;
  readonly #links = new Set<ChaosLink>();

  constructor(
    readonly simulator: Simulator,
    readonly clock: Clock,
    readonly rng: Rng,
  ) {}

  /** The link factory for one app generation. */
  linkFor(generation: number): OpenPushLink {
    return (request) => {
      const link = new ChaosLink(this, generation, request, () => this.#links.delete(link));
      this.#links.add(link);
      return link;
    };
  }

  /** Cuts every open connection and refuses new ones for `ms`: a gap in the pushes, REST still up. */
  cut(ms: number): void {
    this.counts.cuts = (this.counts.cuts ?? 0) + 1;
    this.refusedUntilMs = Math.max(this.refusedUntilMs, this.clock.nowMs() + ms);
    for (const link of this.#links) link.cut();
  }

  /** The verification gateway of one app, recording when it asks the exchange. */
  recordingGateway(options: ConstructorParameters<typeof AdapterVerificationGateway>[0]) {
    return new RecordingGateway(options, (key) => this.lookups.push({ atMs: this.clock.nowMs(), key }));
  }
}

/**
 * Notes each lookup of one order (by exchange id or clientOrderId) that verification makes, and when.
 * Reconciliation's catch-up and the protection manager ask through the same gateway but drive no
 * order's state, so they do not count: the caller is told by the stack.
 */
class RecordingGateway extends AdapterVerificationGateway {
  readonly #note: (key: string) => void;

  constructor(
    options: ConstructorParameters<typeof AdapterVerificationGateway>[0],
    note: (key: string) => void,
  ) {
    super(options);
    this.#note = note;
  }

  override getOrderById(id: string): Promise<ExchangeOrder | null> {
    this.#noteFromVerifier(id);
    return super.getOrderById(id);
  }

  override getOpenOrderByClientOrderId(clientOrderId: string): Promise<ExchangeOrder | null> {
    this.#noteFromVerifier(clientOrderId);
    return super.getOpenOrderByClientOrderId(clientOrderId);
  }

  #noteFromVerifier(key: string): void {
    if (new Error().stack?.includes('TransactionVerifier.') === true) this.#note(key);
  }
}

class ChaosLink implements PushLink {
  readonly #net: ChaosPushNetwork;
  readonly #generation: number;
  readonly #request: PushLinkRequest;
  readonly #publications: Disposable;
  readonly #timers = new Set<TimerHandle>();
  #closed = false;
  #up = false;
  /** Connections so far: a delivery of an earlier connection never arrives on a later one. */
  #connection = 0;
  #stalledUntilMs = 0;
  #lastDeliveryAtMs = 0;
  #held: { readonly channel: string; readonly data: string }[] = [];
  #heldTimer: TimerHandle | undefined;
  #gap: PushGap | undefined;
  readonly #onClose: () => void;

  constructor(net: ChaosPushNetwork, generation: number, request: PushLinkRequest, onClose: () => void) {
    this.#net = net;
    this.#onClose = onClose;
    this.#generation = generation;
    this.#request = request;
    net.counts.links = (net.counts.links ?? 0) + 1;
    this.#publications = net.simulator.websocket.onPublication((p) => this.#onPublication(p));
    this.#openGap();
    this.#later(randomInt(net.rng, 1, 200), () => void this.#connect());
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#up = false;
    this.#publications.dispose();
    for (const timer of this.#timers) this.#net.clock.clearTimeout(timer);
    this.#timers.clear();
    this.#held = [];
    this.#closeGap();
    this.#onClose();
  }

  /** The connection is cut from outside (ChaosPushNetwork.cut). */
  cut(): void {
    if (this.#up) this.#drop('websocket closed: network cut');
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    if (this.#net.clock.nowMs() < this.#net.refusedUntilMs) {
      this.#request.events.failure('websocket transport', { code: 'ECONNREFUSED', message: 'refused' });
      this.#reconnectLater();
      return;
    }
    let token: string;
    try {
      token = await this.#request.fetchToken();
    } catch (error) {
      this.#net.counts.tokenFailures = (this.#net.counts.tokenFailures ?? 0) + 1;
      this.#request.events.failure('websocket token not fetched', error);
      this.#reconnectLater();
      return;
    }
    if (this.#closed) return;
    // As the server: a token names one account, and only that account's private channels subscribe.
    const account = subjectOf(token);
    const refused = this.#request.channels.filter((channel) => !channel.endsWith(`#${account}`));
    if (account === undefined || refused.length > 0) {
      this.#request.events.failure('channel refused', { code: 103, message: 'permission denied' });
      this.#reconnectLater();
      return;
    }
    this.#connection++;
    this.#stalledUntilMs = 0;
    this.#up = true;
    this.#net.counts.connects = (this.#net.counts.connects ?? 0) + 1;
    this.#closeGap();
    this.#request.events.up();
  }

  #onPublication(publication: WsPublication): void {
    const { channel } = publication;
    if (!this.#up || !this.#request.channels.includes(channel)) return;
    const faults = this.#net.simulator.chaos.forPublication(channel);
    if (faults.drop) {
      this.#drop('websocket closed');
      return;
    }
    if (faults.lose) return;
    if (faults.stallMs > 0) this.#stall(faults.stallMs);
    if (this.#stalled()) return;
    const data = JSON.stringify(publication.payload);
    const copies = faults.duplicate ? [data, data] : [data];
    if (faults.holdMs > 0 && this.#held.length < HELD_MAX) {
      for (const copy of copies) this.#held.push({ channel, data: copy });
      this.#heldTimer ??= this.#later(faults.holdMs, () => {
        this.#heldTimer = undefined;
        this.#flushHeld();
      });
      return;
    }
    for (const copy of copies) this.#deliver(channel, copy);
    this.#flushHeld(channel);
  }

  /** Sends what was held on `channel` (after the publication that overtook it), or everything. */
  #flushHeld(channel?: string): void {
    const due = this.#held.filter((entry) => channel === undefined || entry.channel === channel);
    this.#held = this.#held.filter((entry) => !due.includes(entry));
    for (const entry of due) this.#deliver(entry.channel, entry.data);
  }

  #deliver(channel: string, data: string): void {
    const connection = this.#connection;
    const atMs = Math.max(
      this.#lastDeliveryAtMs,
      this.#net.clock.nowMs() + randomInt(this.#net.rng, 0, DELIVERY_DELAY_MAX_MS),
    );
    this.#lastDeliveryAtMs = atMs;
    this.#later(atMs - this.#net.clock.nowMs(), () => {
      if (!this.#up || connection !== this.#connection || this.#stalled()) return;
      this.#net.counts.delivered = (this.#net.counts.delivered ?? 0) + 1;
      this.#request.events.publication(channel, data);
    });
  }

  /** No frame leaves for `ms`, pings neither: a long enough silence is noticed and the link rebuilt. */
  #stall(ms: number): void {
    this.#stalledUntilMs = Math.max(this.#stalledUntilMs, this.#net.clock.nowMs() + ms);
    if (ms < STALL_NOTICED_MS) return;
    const connection = this.#connection;
    this.#later(STALL_NOTICED_MS, () => {
      if (this.#up && connection === this.#connection && this.#stalled())
        this.#drop('no ping from the server');
    });
  }

  #stalled(): boolean {
    return this.#net.clock.nowMs() < this.#stalledUntilMs;
  }

  #drop(why: string): void {
    this.#up = false;
    this.#connection++;
    this.#held = [];
    if (this.#heldTimer !== undefined) this.#net.clock.clearTimeout(this.#heldTimer);
    this.#heldTimer = undefined;
    this.#openGap();
    this.#request.events.failure(why, { code: 3012, reason: why });
    this.#request.events.down();
    this.#reconnectLater();
  }

  #reconnectLater(): void {
    this.#later(pick(this.#net.rng, RECONNECT_DELAYS_MS), () => void this.#connect());
  }

  #openGap(): void {
    if (this.#gap !== undefined) return;
    this.#gap = { generation: this.#generation, fromMs: this.#net.clock.nowMs(), toMs: undefined };
    this.#net.gaps.push(this.#gap);
    this.#net.counts.gaps = (this.#net.counts.gaps ?? 0) + 1;
  }

  #closeGap(): void {
    if (this.#gap !== undefined) this.#gap.toMs = this.#net.clock.nowMs();
    this.#gap = undefined;
  }

  #later(delayMs: number, run: () => void): TimerHandle {
    const timer = this.#net.clock.setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#closed) run();
    }, delayMs);
    this.#timers.add(timer);
    return timer;
  }
}

/** The `sub` claim of the simulator's JWT-shaped token: the account's channel suffix. */
function subjectOf(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
      sub?: unknown;
    };
    return typeof payload.sub === 'string' ? payload.sub : undefined;
  } catch {
    return undefined;
  }
}
