// The scripted reliability demo: starts Keel in paper mode, runs six phases against the simulator,
// each checked programmatically, then prints the verification table. Always stops Keel at the end.
import type { DemoSecrets } from './demo-app.js';
import { startDemoApp, TIMINGS } from './demo-app.js';
import { DemoContext } from './demo-context.js';
import { isDemoCheckError } from './demo-errors.js';
import { ambiguousOrder } from './phases/ambiguous-order.js';
import { normalTrading } from './phases/normal-trading.js';
import { createOutagePhases } from './phases/outage.js';
import type { DemoPhase } from './phases/phase.js';
import { positionDrift } from './phases/position-drift.js';
import { rateLimitStorm } from './phases/rate-limit-storm.js';
import { ansi, type DemoOutput, Progress, seconds } from './progress.js';
import { renderTable, type VerificationRow, verify } from './verification.js';
import { waitFor } from './wait.js';

export type { DemoSecrets } from './demo-app.js';
export type { DemoOutput } from './progress.js';
export type { VerificationRow } from './verification.js';

export interface RunDemoOptions {
  readonly output: DemoOutput;
  /** Shorter breaks and waits; every phase still runs. */
  readonly quick?: boolean;
  /** Known passphrase and dashboard token, for a secret scan afterwards. */
  readonly secrets?: DemoSecrets;
}

export interface PhaseResult {
  readonly title: string;
  readonly ok: boolean;
  readonly durationMs: number;
  /** Why the phase failed. */
  readonly error?: string;
}

export interface DemoResult {
  /** Every phase passed and every table row holds. */
  readonly passed: boolean;
  readonly phases: readonly PhaseResult[];
  /** Empty when Keel could not start. */
  readonly verification: readonly VerificationRow[];
  readonly dashboardUrl: string | undefined;
  /** The temp dir with keel.db, the config file and the log; left for inspection. */
  readonly dataDir: string | undefined;
  /** The demo's structured (JSON lines) log. */
  readonly logPath: string | undefined;
  readonly durationMs: number;
}

export async function runDemo(options: RunDemoOptions): Promise<DemoResult> {
  const startedAtMs = Date.now();
  const timings = options.quick === true ? TIMINGS.quick : TIMINGS.full;
  const progress = new Progress(options.output);
  progress.title('Keel high-reliability demo (paper trading on the built-in simulator)');
  const demo = await progress.step('Starting Keel', () =>
    startDemoApp({ timings, ...(options.secrets === undefined ? {} : { secrets: options.secrets }) }),
  );
  const dashboardUrl = `${demo.baseUrl}/`;
  progress.plain(`Dashboard: ${dashboardUrl}`);
  progress.plain(ansi.dim(`  Data dir:  ${demo.dataDir}  (logs: ${demo.logPath})`));
  const context = new DemoContext(demo.app, demo.simulator, progress, timings, {
    baseUrl: demo.baseUrl,
    passphrase: demo.passphrase,
    dashboardToken: demo.dashboardToken,
  });
  const phases: PhaseResult[] = [];
  let verification: VerificationRow[] = [];
  try {
    await progress.step('Opening balances taken from the exchange', () => awaitReady(context));
    await runPhases(context, phases);
    progress.section('Verification');
    verification = await progress.step('Final reconciliation and invariant checks', () => verify(context));
    for (const line of renderTable(verification)) progress.plain(line);
    const attempts = [...context.exchangeAttempts].map(([endpoint, count]) => `${endpoint} ${count}`);
    progress.plain(ansi.dim(`  exchange call attempts by endpoint: ${attempts.join(', ')}`));
  } finally {
    context.dispose();
    await progress.step('Stopping Keel (intake closed, engine drained, ports released)', () => demo.close());
    progress.close();
  }
  const passed =
    phases.length === PHASES_TOTAL &&
    phases.every((phase) => phase.ok) &&
    verification.length > 0 &&
    verification.every((row) => row.ok);
  const durationMs = Date.now() - startedAtMs;
  progress.plain(
    passed
      ? ansi.green(ansi.bold(`\nAll checks passed in ${seconds(durationMs)}.`))
      : ansi.red(
          ansi.bold(`\nDemo FAILED after ${seconds(durationMs)}: ${failureSummary(phases, verification)}`),
        ),
  );
  return {
    passed,
    phases,
    verification,
    dashboardUrl,
    dataDir: demo.dataDir,
    logPath: demo.logPath,
    durationMs,
  };
}

const PHASES_TOTAL = 6;

function createPhases(): DemoPhase[] {
  const [outage, recovery] = createOutagePhases();
  return [normalTrading, outage, recovery, ambiguousOrder, rateLimitStorm, positionDrift];
}

/** Runs the phases in order; stops at the first failure, which is recorded with its message. */
async function runPhases(context: DemoContext, results: PhaseResult[]): Promise<void> {
  const phases = createPhases();
  for (const [index, phase] of phases.entries()) {
    context.progress.phase(index + 1, phases.length, phase.title);
    const startedAtMs = Date.now();
    try {
      await phase.run(context);
      results.push({ title: phase.title, ok: true, durationMs: Date.now() - startedAtMs });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const kind = isDemoCheckError(error) ? 'check failed' : 'error';
      context.progress.fail(`${phase.title}: ${kind}: ${message}`);
      // Faults left behind would only blur the table that follows.
      context.simulator.chaos.clear();
      results.push({ title: phase.title, ok: false, durationMs: Date.now() - startedAtMs, error: message });
      return;
    }
  }
}

/** Trading starts in the background after listen: wait for opening balances and readiness. */
async function awaitReady(context: DemoContext): Promise<void> {
  await waitFor(
    async () => {
      const { ready } = await context.app.health.readiness();
      return ready && context.app.ledger.assets().length > 0 ? true : undefined;
    },
    { timeoutMs: 15_000, what: 'opening balances', intervalMs: 100 },
  );
}

function failureSummary(phases: readonly PhaseResult[], rows: readonly VerificationRow[]): string {
  const failedPhase = phases.find((phase) => !phase.ok);
  if (failedPhase !== undefined) return `phase "${failedPhase.title}": ${failedPhase.error ?? 'failed'}`;
  const failedRows = rows.filter((row) => !row.ok).map((row) => row.label);
  return failedRows.length > 0 ? `table rows failed: ${failedRows.join(', ')}` : 'not every phase ran';
}
