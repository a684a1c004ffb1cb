// One key's grants as an append-only queue with running totals, so a decision costs O(1)
// amortized however many grants a window holds. Same rule as decideGrant (the reference model):
// a grant at `now` is allowed when the weight granted in (now - windowMs, now] plus the new weight
// stays within the limit. Each window keeps a cursor on its oldest live grant; cursors only move
// forward while time does, and a binary search serves the rare step back.
import { assert } from '../assert.js';
import type { RateLimitGrant, RateLimitWindow } from './rate-limit-store.js';

/** Dead entries at the head are cut off once they are this many and half the arrays. */
const COMPACT_MIN = 256;

export class GrantLog {
  readonly #windows: readonly RateLimitWindow[];
  readonly #horizonMs: number;
  /** Grant instants, ascending; grants at one instant share an entry. */
  #times: number[] = [];
  /** Weight granted up to and including each entry, since the log began. */
  #cums: number[] = [];
  /** First live entry (inside the longest window); entries before it are dead. */
  #head = 0;
  /** Per window, the first entry inside it as of the last call. */
  readonly #cursors: number[];

  constructor(windows: readonly RateLimitWindow[]) {
    this.#windows = windows;
    this.#horizonMs = Math.max(0, ...windows.map((window) => window.windowMs));
    this.#cursors = windows.map(() => 0);
  }

  /** Live entries: at most the largest limit, since each holds a weight of 1 or more. */
  get length(): number {
    return this.#times.length - this.#head;
  }

  /** Until this instant at least one grant counts in some window. */
  get idleAtMs(): number {
    const last = this.#times.length - 1;
    return last < this.#head ? 0 : (this.#times[last] as number) + this.#horizonMs;
  }

  /** True when this log measures exactly these window lengths (limits may differ). */
  measures(windows: readonly RateLimitWindow[]): boolean {
    if (windows.length !== this.#windows.length) return false;
    for (let w = 0; w < windows.length; w++)
      if ((windows[w] as RateLimitWindow).windowMs !== (this.#windows[w] as RateLimitWindow).windowMs)
        return false;
    return true;
  }

  /**
   * Ms until `weight` fits in every window, assuming no new grants; 0 when it fits now.
   * `windows` gives the limits; their lengths are this log's (see measures).
   */
  waitMs(windows: readonly RateLimitWindow[], weight: number, nowMs: number): number {
    this.#advance(nowMs);
    const total = this.#total();
    let waitMs = 0;
    for (let w = 0; w < this.#windows.length; w++) {
      const window = windows[w] as RateLimitWindow;
      const cursor = this.#cursors[w] as number;
      const before = this.#cumBefore(cursor);
      const excess = total - before + weight - window.limit;
      if (excess <= 0) continue;
      assert(weight <= window.limit, `weight ${weight} exceeds limit ${window.limit}: never grantable`);
      // The first entry whose leaving frees enough weight: cums[i] - before >= excess.
      const index = this.#firstCumAtLeast(cursor, before + excess);
      const windowWaitMs = (this.#times[index] as number) + window.windowMs - nowMs;
      if (windowWaitMs > waitMs) waitMs = windowWaitMs;
    }
    return waitMs;
  }

  /** Weight granted in (nowMs - windowMs, nowMs] for window index `w`. */
  used(w: number, nowMs: number): number {
    this.#advance(nowMs);
    return this.#total() - this.#cumBefore(this.#cursors[w] as number);
  }

  /**
   * Records a grant; the caller decided it with waitMs. A grant dated before the latest one (the
   * clock stepped back) is booked at the latest instant: the log stays sorted and the grant counts
   * for longer, never shorter.
   */
  append(nowMs: number, weight: number): void {
    const last = this.#times.length - 1;
    const atMs = last < 0 ? nowMs : Math.max(nowMs, this.#times[last] as number);
    if (last >= this.#head && this.#times[last] === atMs) {
      this.#cums[last] = (this.#cums[last] as number) + weight;
      return;
    }
    this.#cums.push(this.#total() + weight);
    this.#times.push(atMs);
  }

  /** The live grants, oldest first, for snapshots and hand-overs. */
  grants(nowMs: number): RateLimitGrant[] {
    this.#advance(nowMs);
    const out: RateLimitGrant[] = [];
    for (let index = this.#head; index < this.#times.length; index++)
      out.push({
        atMs: this.#times[index] as number,
        weight: (this.#cums[index] as number) - this.#cumBefore(index),
      });
    return out;
  }

  #total(): number {
    const last = this.#cums.length - 1;
    return last < 0 ? 0 : (this.#cums[last] as number);
  }

  #cumBefore(index: number): number {
    return index === 0 ? 0 : (this.#cums[index - 1] as number);
  }

  /** Moves every cursor to the first entry later than now - windowMs; drops dead entries. */
  #advance(nowMs: number): void {
    const times = this.#times;
    let head = times.length;
    for (let w = 0; w < this.#windows.length; w++) {
      const boundaryMs = nowMs - (this.#windows[w] as RateLimitWindow).windowMs;
      let cursor = this.#cursors[w] as number;
      if (cursor > this.#head && (times[cursor - 1] as number) > boundaryMs)
        cursor = this.#firstTimeAfter(boundaryMs); // time stepped back
      else while (cursor < times.length && (times[cursor] as number) <= boundaryMs) cursor++;
      this.#cursors[w] = cursor;
      if (cursor < head) head = cursor;
    }
    this.#head = head;
    if (head >= COMPACT_MIN && head * 2 >= times.length) this.#compact();
  }

  #compact(): void {
    const head = this.#head;
    this.#times = this.#times.slice(head);
    this.#cums = this.#cums.slice(head);
    for (let w = 0; w < this.#cursors.length; w++) this.#cursors[w] = (this.#cursors[w] as number) - head;
    this.#head = 0;
  }

  #firstTimeAfter(boundaryMs: number): number {
    let low = this.#head;
    let high = this.#times.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.#times[middle] as number) <= boundaryMs) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  #firstCumAtLeast(from: number, target: number): number {
    let low = from;
    let high = this.#cums.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.#cums[middle] as number) >= target) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}
