// What the commands from a messenger do: each reads or acts through the same operations the dashboard
// API offers, and answers with plain text. Knows nothing of the Bot API, so tests drive it directly.
import { formatDecimal } from '../../core/decimal.js';
import type { EngineMode } from '../../engine/kill-switch.js';
import type { PositionView } from '../../position/positions.js';
import type { AlertView, EngineModeView, OrderView, StatusSnapshot } from '../api/status-source.js';

export interface BotCommandOperations {
  status(): Promise<StatusSnapshot>;
  /** Recent orders; those not `done` are open. */
  orders(): Promise<readonly OrderView[]>;
  positions(): readonly PositionView[];
  /** The last reconciliation run, if any: its outcome, when it finished, and breaches found. */
  lastReconciliation():
    | { readonly status: string; readonly finishedAtMs: number; readonly breachCount: number }
    | undefined;
  openAlerts(): Promise<readonly AlertView[]>;
  acknowledgeAlert(id: string, by: string): Promise<AlertView | undefined>;
  setEngineMode(mode: EngineMode, by: string, reason: string): Promise<EngineModeView>;
}

/** Lines listed by /alerts at most; the dashboard has the rest. */
const ALERTS_LISTED_MAX = 20;

const HELP = [
  'Commands:',
  '/status — engine mode, breakers, open orders, last reconciliation',
  '/positions — open positions',
  '/pnl — realized profit and loss',
  '/halt REASON — stop trading',
  '/reduce REASON — only orders that reduce a position',
  '/resume REASON — trade again',
  '/alerts — open alerts',
  '/ack ID — acknowledge an alert',
].join('\n');

const MODES: Readonly<Record<string, EngineMode>> = { halt: 'HALTED', reduce: 'REDUCING', resume: 'RUNNING' };

export class BotCommands {
  constructor(private readonly operations: BotCommandOperations) {}

  /** The reply to `text` from an allowed chat; `by` is recorded as who changed or acknowledged. */
  async run(text: string, by: string): Promise<string> {
    const [head = '', ...rest] = text.trim().split(/\s+/);
    // `/status@keel_bot` in a group names the bot; the name is not part of the command.
    const command = head.toLowerCase().replace(/@.*$/, '');
    const argument = rest.join(' ');
    try {
      if (command === '/status') return this.#status();
      if (command === '/positions') return this.#positions();
      if (command === '/pnl') return this.#pnl();
      if (command === '/alerts') return this.#alerts();
      if (command === '/ack') return this.#acknowledge(argument, by);
      const mode = MODES[command.slice(1)];
      if (command.startsWith('/') && mode !== undefined) return this.#setMode(mode, argument, by);
      return HELP;
    } catch (error) {
      return `${command} failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  async #status(): Promise<string> {
    const status = await this.operations.status();
    const open = (await this.operations.orders()).filter((order) => order.phase !== 'done').length;
    const mode = status.engineMode;
    const last = this.operations.lastReconciliation();
    return [
      `Engine ${mode.mode}${mode.changedBy === null ? '' : ` (by ${mode.changedBy}: ${mode.reason ?? ''})`}`,
      `Breakers: ${status.breakers.map((breaker) => `${breaker.name} ${breaker.state}`).join(', ')}`,
      `Open orders: ${open}`,
      `Last reconciliation: ${last === undefined ? 'none yet' : `${last.status} at ${new Date(last.finishedAtMs).toISOString()}, ${last.breachCount} breach(es)`}`,
      `Health: ${status.health.status}`,
    ].join('\n');
  }

  #positions(): string {
    const open = this.operations.positions().filter((position) => !position.position.isZero());
    if (open.length === 0) return 'No open positions.';
    return open
      .map((position) => {
        const average =
          position.averageCost === undefined
            ? ''
            : ` at ${formatDecimal(position.averageCost.toDecimalPlaces(8))} ${position.quote}`;
        return `${position.market}: ${formatDecimal(position.position)} ${position.base}${average}`;
      })
      .join('\n');
  }

  #pnl(): string {
    const positions = this.operations.positions();
    if (positions.length === 0) return 'No fills yet.';
    return positions
      .map(
        (position) =>
          `${position.market}: realized ${formatDecimal(position.realizedPnl)} ${position.quote} (${position.fillCount} fills)`,
      )
      .join('\n');
  }

  async #alerts(): Promise<string> {
    const open = await this.operations.openAlerts();
    if (open.length === 0) return 'No open alerts.';
    const lines = open
      .slice(0, ALERTS_LISTED_MAX)
      .map((alert) => `${alert.id} [${alert.severity}] ${alert.title} (${alert.state})`);
    if (open.length > ALERTS_LISTED_MAX) lines.push(`…and ${open.length - ALERTS_LISTED_MAX} more`);
    return lines.join('\n');
  }

  async #acknowledge(id: string, by: string): Promise<string> {
    if (id === '') return 'Usage: /ack ID (ids are listed by /alerts)';
    const alert = await this.operations.acknowledgeAlert(id, by);
    if (alert === undefined) return `No alert ${id}.`;
    return `Alert ${alert.id} ${alert.state} (by ${alert.acknowledgedBy ?? by}).`;
  }

  async #setMode(mode: EngineMode, reason: string, by: string): Promise<string> {
    const view = await this.operations.setEngineMode(mode, by, reason === '' ? `from ${by}` : reason);
    return `Engine ${view.mode}.`;
  }
}
