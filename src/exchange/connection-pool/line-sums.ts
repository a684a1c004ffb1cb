// Running sums of (time, latency) points for a least-squares line, with points added and removed one
// at a time, so a trend is fitted in O(1) per call instead of a pass over its window. Times are taken
// from an origin (the first point since the last reset): epoch-ms integers then stay small and their
// sums exact; the owner rebuilds the sums now and then so rounding in the latency sums never builds up.

export interface LinePoint {
  readonly atMs: number;
  readonly latencyMs: number;
}

export interface Line {
  /** Fitted latency at `nowMs`, ms. */
  readonly intercept: number;
  readonly slopePerMs: number;
}

export class LineSums {
  #originMs = 0;
  #count = 0;
  #sumT = 0;
  #sumTT = 0;
  #sumY = 0;
  #sumTY = 0;

  /** The time the sums measure from: the first point added since the last reset. */
  get originMs(): number {
    return this.#originMs;
  }

  add(point: LinePoint): void {
    if (this.#count === 0) this.#originMs = point.atMs;
    const t = point.atMs - this.#originMs;
    this.#count += 1;
    this.#sumT += t;
    this.#sumTT += t * t;
    this.#sumY += point.latencyMs;
    this.#sumTY += t * point.latencyMs;
  }

  remove(point: LinePoint): void {
    if (this.#count <= 1) {
      this.reset();
      return;
    }
    const t = point.atMs - this.#originMs;
    this.#count -= 1;
    this.#sumT -= t;
    this.#sumTT -= t * t;
    this.#sumY -= point.latencyMs;
    this.#sumTY -= t * point.latencyMs;
  }

  reset(): void {
    this.#count = 0;
    this.#sumT = 0;
    this.#sumTT = 0;
    this.#sumY = 0;
    this.#sumTY = 0;
  }

  /** Latency = intercept + slope × (t − now); a flat line through the mean when time does not vary. */
  line(nowMs: number): Line {
    const n = this.#count;
    if (n === 0) return { intercept: 0, slopePerMs: 0 };
    const meanT = this.#sumT / n;
    const meanY = this.#sumY / n;
    const variance = this.#sumTT - this.#sumT * meanT;
    // Equal times give exactly 0 (integer sums); anything at rounding level is no line either.
    if (!(variance > 1e-12 * this.#sumTT)) return { intercept: meanY, slopePerMs: 0 };
    const slopePerMs = (this.#sumTY - this.#sumT * meanY) / variance;
    return { intercept: meanY + slopePerMs * (nowMs - this.#originMs - meanT), slopePerMs };
  }
}
