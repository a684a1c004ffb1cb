// `keel positions` (positions and P&L per strategy) and `keel close SYMBOL [--strategy S]` (flatten a
// strategy's position: its open orders are cancelled first), through the running Keel's API.
import type { Command } from 'commander';

/** The shared helpers of the operate commands: an API call as a commander action, and common options. */
export interface OperateHelpers {
  readonly act: (path: string, body?: (args: string[]) => unknown) => (...args: unknown[]) => Promise<void>;
  readonly common: (command: Command) => Command;
}

export function registerPositionCommands(program: Command, { act, common }: OperateHelpers): void {
  common(
    program.command('positions').description('positions and P&L per strategy, at the exchange price'),
  ).action(act('/api/positions'));
  const close = common(
    program
      .command('close <symbol>')
      .description(
        "flatten a strategy's position on SYMBOL: cancel its open orders, then sell or buy the rest",
      )
      .option('--strategy <name>', 'the strategy to close (default: alerts that named none)'),
  );
  close.action(async (...args: unknown[]) => {
    const { strategy } = close.opts<{ strategy?: string }>();
    await act('/api/positions/close', ([symbol]) => ({
      symbol: (symbol ?? '').toUpperCase(),
      ...(strategy === undefined ? {} : { strategy }),
    }))(...args);
  });
}
