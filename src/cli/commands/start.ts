// `keel start [--live | --testnet]`: runs Keel until SIGTERM or SIGINT. Paper mode by default: the built-in
// simulator, SQLite in ./data, webhook + dashboard + API on 127.0.0.1:8080.
import { type Command, Option } from 'commander';
import { KeelApp } from '../../app/keel-app.js';
import type { KeelConfig } from '../../config/index.js';
import { createLogger, loggerOptionsFromConfig } from '../../logging/create-logger.js';
import { type CliContext, EXIT_FAILURE, EXIT_OK } from '../context.js';
import { CONFIG_OPTION_DESCRIPTION, CONFIG_OPTION_FLAGS, loadConfigOrReport } from '../load.js';

export function registerStartCommand(program: Command, context: CliContext): Command {
  return program
    .command('start')
    .description('run Keel: webhook intake, engine, dashboard (paper trading unless --live)')
    .option(CONFIG_OPTION_FLAGS, CONFIG_OPTION_DESCRIPTION)
    .option('--live', 'trade on KEEL_NOBITEX_BASE_URL with KEEL_NOBITEX_TOKEN or an API key')
    .option('--testnet', "trade on Nobitex's testnet (implies --live; use testnet credentials)")
    .addOption(
      new Option(
        '--paper-live',
        "paper trading on Nobitex's live public prices and order books (no API keys)",
      )
        // Paper and live at once is a mistake to refuse, not a choice to guess.
        .conflicts(['live', 'testnet']),
    )
    .action(async (options: { config?: string; live?: boolean; testnet?: boolean; paperLive?: boolean }) => {
      const scoped: CliContext =
        options.live || options.testnet || options.paperLive
          ? { io: { ...context.io, env: { ...context.io.env, ...modeEnv(options) } }, exitCode: EXIT_OK }
          : context;
      const config = loadConfigOrReport(scoped, options.config);
      if (config === undefined) {
        context.exitCode = EXIT_FAILURE;
        return;
      }
      context.exitCode = await run(config, context);
    });
}

function modeEnv(options: { testnet?: boolean; paperLive?: boolean }): Record<string, string> {
  if (options.paperLive) return { KEEL_MODE: 'paper', KEEL_SIMULATOR_LIVE_MARKET_DATA: 'true' };
  return options.testnet ? { KEEL_MODE: 'live', KEEL_NOBITEX_NETWORK: 'testnet' } : { KEEL_MODE: 'live' };
}

async function run(config: KeelConfig, context: CliContext): Promise<number> {
  const logger = createLogger(loggerOptionsFromConfig(config));
  let app: KeelApp;
  try {
    app = await KeelApp.create({ config, logger });
  } catch (error) {
    context.io.stderr(`keel: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILURE;
  }
  const url = await app.start();
  context.io.stdout(
    banner(config, { webhook: url, operator: app.operatorUrl ?? url }, app.webhookPassphrase),
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ signal }, 'stopping: intake closed, open orders stay journaled');
  await app.stop();
  logger.flush();
  return EXIT_OK;
}

function banner(
  config: KeelConfig,
  urls: { webhook: string; operator: string },
  passphrase: { value: string; generated: boolean },
): string {
  const { webhook: url, operator } = urls;
  const body = JSON.stringify({
    passphrase: passphrase.generated ? passphrase.value : '<your passphrase>',
    symbol: 'BTCIRT',
    side: 'buy',
    amount: '0.001',
  });
  return [
    '',
    `Keel is running (${config.mode === 'paper' ? (config.simulator.liveMarketData ? 'paper trading on live Nobitex prices' : 'paper trading on the built-in simulator') : config.nobitex.network === 'testnet' ? 'trading on the Nobitex testnet' : 'LIVE trading'}).`,
    `  dashboard  ${operator}/`,
    `  webhook    ${url}/webhooks/tradingview`,
    `  API        ${operator}/api/status  ${operator}/api/orders  ${operator}/api/signals`,
    `  health     ${url}/healthz  ${url}/readyz  ${operator}/metrics`,
    '',
    'Send a sample TradingView alert:',
    `  curl -sS -X POST ${url}/webhooks/tradingview -H 'Content-Type: application/json' -d '${body}'`,
    `Then: curl -sS ${operator}/api/orders`,
    '',
  ].join('\n');
}
