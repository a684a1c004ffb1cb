// A market list shaped like Nobitex's: each listed coin trades against rial (IRT) and tether (USDT),
// with plausible late-2025 prices and precision steps derived from them. The real exchange's list is
// read at runtime from `/v2/options`; this one only lets the simulator stand in for it.
import { Decimal, formatDecimal } from '../../core/decimal.js';
import { parseMarket } from '../markets.js';
import type { SimMarketConfig } from './types.js';

/** Rial per tether, for the IRT price of a coin priced in USDT. */
const RIAL_PER_USDT = new Decimal('1050000');
/** Order-book level sizes, in tether of value: smallest and largest. */
const LEVEL_VALUE_MIN_USDT = new Decimal(50);
const LEVEL_VALUE_MAX_USDT = new Decimal(2_000);
/** An hour of made-up history each: a day's for every listing would slow every simulator start. */
const LISTED_HISTORY_MINUTES = 60;

/** Coin code → USDT price. Scaled tickers (`1m_pepe`) are priced per scaled unit, as Nobitex lists them. */
const LISTED_COINS_USDT: Readonly<Record<string, string>> = {
  ltc: '85',
  xrp: '2.2',
  bch: '520',
  bnb: '880',
  eos: '0.45',
  xlm: '0.27',
  etc: '14',
  trx: '0.28',
  doge: '0.16',
  uni: '7.5',
  dai: '1',
  link: '14',
  dot: '2.6',
  aave: '190',
  ada: '0.45',
  shib: '0.0000088',
  ftm: '0.45',
  pol: '0.14',
  axs: '1.1',
  mana: '0.18',
  sand: '0.16',
  avax: '14',
  mkr: '1500',
  usdc: '1',
  sol: '140',
  atom: '2.6',
  grt: '0.05',
  near: '2',
  ape: '0.35',
  xmr: '380',
  algo: '0.14',
  hbar: '0.15',
  fil: '1.6',
  arb: '0.22',
  ton: '1.6',
  not: '0.0007',
  ethfi: '0.9',
  '1m_pepe': '5',
  '1m_btt': '0.5',
  '100k_floki': '6',
  '1b_babydoge': '1.2',
};

/** The simulator's markets: the original five first (tests rely on their steps), then every listing. */
export function listedMarkets(): SimMarketConfig[] {
  const markets: SimMarketConfig[] = [];
  for (const [coin, usdtPrice] of Object.entries(LISTED_COINS_USDT)) {
    const price = new Decimal(usdtPrice);
    markets.push(derived(`${coin.toUpperCase()}IRT`, price.times(RIAL_PER_USDT), price));
    markets.push(derived(`${coin.toUpperCase()}USDT`, price, price));
  }
  return markets;
}

function derived(symbol: string, startPrice: Decimal, usdtPrice: Decimal): SimMarketConfig {
  const { base, quote } = parseMarket(symbol);
  // About five significant price digits, and an amount step worth about a thousandth of a tether.
  const priceStep = Decimal.max(new Decimal(10).pow(startPrice.e - 4), quote === 'rls' ? 1 : '0.00000001');
  const amountStep = Decimal.min(1, Decimal.max('0.00000001', new Decimal(10).pow(usdtPrice.e * -1 - 3)));
  const roundedStart = startPrice.toNearest(priceStep, Decimal.ROUND_HALF_EVEN);
  const level = (valueUsdt: Decimal) =>
    Decimal.max(amountStep, valueUsdt.div(usdtPrice).toNearest(amountStep));
  return {
    symbol,
    base,
    quote,
    startPrice: formatDecimal(roundedStart),
    amountStep: formatDecimal(amountStep),
    priceStep: formatDecimal(priceStep),
    levelAmountMin: formatDecimal(level(LEVEL_VALUE_MIN_USDT)),
    levelAmountMax: formatDecimal(level(LEVEL_VALUE_MAX_USDT)),
    historyMinutes: LISTED_HISTORY_MINUTES,
  };
}
