// Goal: the send guard's verdicts (stale before halted before lease), the permit's last check right
// before an attempt leaves, and the abort of a placing request when the lease is lost.
// Method: a fake lease (expiry and demotion under the test's control), FakeClock.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { EventEmitter } from '../../core/events.js';
import type { LeaderDemotion, LeaderInfo } from '../../storage/leadership/leader-lease.js';
import { isRequestNotSentError } from '../connection-pool/errors.js';
import type { OrderIntent } from '../order-journal/order-intent.js';
import { SendGuard } from './send-guard.js';

const START_MS = 1_000_000;
const intent = { id: 'ord-s1', signalId: 's1' } as OrderIntent;

function setup(options: { halted?: boolean; staleAtMs?: number; leased?: boolean } = {}) {
  const clock = new FakeClock(START_MS);
  const demoted = new EventEmitter<LeaderDemotion>();
  let expiresAtMs: number | undefined = START_MS + 10_000;
  const lease = {
    leaderInfo: (): LeaderInfo | undefined =>
      expiresAtMs === undefined || clock.nowMs() >= expiresAtMs
        ? undefined
        : { instanceId: 'a', token: 1, sinceMs: START_MS, expiresAtMs },
    onDemoted: demoted.addListener,
  };
  const guard = new SendGuard({
    halted: async () => options.halted ?? false,
    staleAtMs: async () => options.staleAtMs,
    ...(options.leased === false ? {} : { lease }),
    requestTimeoutMs: 2_000,
    clock,
  });
  return {
    clock,
    guard,
    demote: () => {
      expiresAtMs = undefined;
      demoted.emit({ token: 1, reason: 'lost', atMs: clock.nowMs() });
    },
  };
}

const rejection = (promise: Promise<void>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('SendGuard', () => {
  it('lets a request go while running, young and leading with time to spare', async () => {
    const { guard } = setup({ staleAtMs: START_MS + 60_000 });
    const verdict = await guard.check(intent);
    expect(verdict.kind).toBe('send');
    if (verdict.kind === 'send') expect(await rejection(verdict.permit.check())).toBeUndefined();
  });

  it('calls a signal past its maximum age stale, before anything else', async () => {
    const { guard } = setup({ staleAtMs: START_MS, halted: true });
    expect(await guard.check(intent)).toMatchObject({ kind: 'stale' });
  });

  it('holds every request while the stored mode is HALTED', async () => {
    const { guard } = setup({ halted: true });
    expect(await guard.check(intent)).toEqual({ kind: 'hold', reason: 'the engine is HALTED' });
  });

  it('holds when the lease has no more time left than one request can take', async () => {
    const { guard, clock } = setup();
    await clock.advance(8_000);
    expect(await guard.check(intent)).toMatchObject({
      kind: 'hold',
      reason: expect.stringMatching(/2000 ms left/),
    });
    await clock.advance(2_000);
    expect(await guard.check(intent)).toMatchObject({
      kind: 'hold',
      reason: expect.stringMatching(/does not hold/),
    });
  });

  it('needs no lease on a single machine', async () => {
    const { guard, clock } = setup({ leased: false });
    await clock.advance(3_600_000);
    expect((await guard.check(intent)).kind).toBe('send');
  });

  it("refuses an attempt right before it leaves once the lease or the signal's age ran out meanwhile", async () => {
    const aging = setup({ staleAtMs: START_MS + 5_000 });
    const young = await aging.guard.check(intent);
    if (young.kind !== 'send') throw new Error('expected send');
    await aging.clock.advance(5_000); // e.g. a rate-limit wait between the verdict and the attempt
    expect(isRequestNotSentError(await rejection(young.permit.check()))).toBe(true);

    const leasing = setup();
    const leased = await leasing.guard.check(intent);
    if (leased.kind !== 'send') throw new Error('expected send');
    await leasing.clock.advance(8_500);
    const error = await rejection(leased.permit.check());
    expect(isRequestNotSentError(error) && error.reason).toBe('aborted');
  });

  it('aborts a placing request when the lease is lost, and forgets the lease once disposed', async () => {
    const { guard, demote } = setup();
    const verdict = await guard.check(intent);
    if (verdict.kind !== 'send') throw new Error('expected send');
    const other = await guard.check(intent);
    if (other.kind !== 'send') throw new Error('expected send');
    other.permit.dispose();
    demote();
    expect(verdict.permit.signal.aborted).toBe(true);
    expect(other.permit.signal.aborted).toBe(false);
    expect(isRequestNotSentError(await rejection(verdict.permit.check()))).toBe(true);
  });

  it('reads the stored mode again right before an attempt leaves', async () => {
    let halted = false;
    const clock = new FakeClock(START_MS);
    const guard = new SendGuard({
      halted: async () => halted,
      staleAtMs: async () => undefined,
      requestTimeoutMs: 2_000,
      clock,
    });
    const verdict = await guard.check(intent);
    if (verdict.kind !== 'send') throw new Error('expected send');
    halted = true; // set on another instance between the verdict and the attempt
    const error = await rejection(verdict.permit.check());
    expect(isRequestNotSentError(error) && error.message).toMatch(/HALTED/);
  });
});
