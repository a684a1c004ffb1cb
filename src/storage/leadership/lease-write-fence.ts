// The order journal's write fence on the trading lease: a write commits only while this instance
// leads by its own clock AND the store still names its token as the live holder.

import type { Queryable } from '../database.js';
import type { WriteFence } from '../write-fence.js';
import { LeaseLostError } from './errors.js';
import type { LeaderLease } from './leader-lease.js';

export class LeaseWriteFence implements WriteFence {
  readonly #lease: LeaderLease;

  constructor(lease: LeaderLease) {
    this.#lease = lease;
  }

  /** The token written beside every audit event. */
  get token(): number {
    return this.#lease.token;
  }

  async check(tx: Queryable): Promise<void> {
    const token = this.#lease.token;
    if (!this.#lease.isLeader)
      throw new LeaseLostError(
        `instance ${this.#lease.instanceId} is not the trading leader (token ${token})`,
        token,
      );
    await this.#lease.assertHolds(tx, token);
  }
}
