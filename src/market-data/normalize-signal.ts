// Raw alert fields → one Signal, or every problem found (never just the first): the user fixes
// the alert once. Field names have aliases because alerts are written by hand and by templates.
import { Decimal } from '../core/decimal.js';
import { type Market, parseMarket, toSymbol } from '../exchange/markets.js';
import {
  type ProtectLevelSignal,
  reservedStrategyProblem,
  SIGNAL_ACTIONS,
  type Signal,
  type SignalAction,
  type SignalOrder,
  type SignalProblem,
  type SignalResult,
  type SignalSide,
  type SignalSize,
  vouchForSignal,
} from './signal.js';
import {
  type DecimalRule,
  type FieldResult,
  pickField,
  readChoice,
  readDecimal,
  readDurationMs,
  readIsoTime,
  readText,
  readWholeMs,
} from './signal-fields.js';

export interface SignalLimits {
  /** Largest base amount (`amount`/`qty`/`contracts`), in base currency units. */
  readonly amountMax: Decimal;
  /** Largest quote value (`value`/`total`), in quote currency units (rial for IRT markets). */
  readonly valueMax: Decimal;
  /** Largest absolute target position, in base currency units. */
  readonly positionAbsMax: Decimal;
  /** Most digits any size or price may have. */
  readonly digitsMax: number;
}

export const DEFAULT_SIGNAL_LIMITS: SignalLimits = Object.freeze({
  amountMax: new Decimal('1000000000'),
  valueMax: new Decimal('1000000000000000000'),
  positionAbsMax: new Decimal('1000000000'),
  digitsMax: 40,
});

export interface NormalizeOptions {
  /** When the request arrived, epoch ms; the alert time when the alert carries none. */
  readonly receivedAtMs: number;
  /** Symbols (`BTCIRT`) this intake accepts; undefined accepts every known market. */
  readonly allowedSymbols?: ReadonlySet<string>;
  readonly limits?: SignalLimits;
}

/** Canonical field names (see parse-alert `canonicalKey`) by meaning, preferred alias first. */
export const FIELD_ALIASES = {
  symbol: ['symbol', 'ticker', 'market', 'pair'],
  side: ['side', 'action', 'orderaction', 'strategyorderaction'],
  type: ['type', 'ordertype'],
  price: ['price', 'limitprice'],
  expiresIn: ['expiresin', 'expires', 'lifetime'],
  strategy: ['strategy', 'strategyname'],
  time: ['timenow', 'time', 'alerttime'],
  id: ['id', 'signalid', 'alertid'],
  ageMax: ['agemaxms', 'maxagems'],
  stopPrice: ['stopprice', 'triggerprice'],
  stopLoss: ['stoploss', 'sl'],
  takeProfit: ['takeprofit', 'tp'],
  stopLimitPrice: ['stoplimitprice', 'stoplimit'],
} as const;

export const SIZE_ALIASES: Readonly<Record<SignalSize['kind'], readonly string[]>> = {
  base: ['amount', 'qty', 'quantity', 'contracts', 'strategyordercontracts'],
  quote: ['value', 'quoteamount', 'total'],
  percent: ['percent'],
  target: ['position', 'positionsize', 'strategypositionsize'],
};

const SIZE_KINDS = Object.keys(SIZE_ALIASES) as readonly SignalSize['kind'][];
const SIDES: Readonly<Record<string, SignalSide>> = { buy: 'buy', sell: 'sell', long: 'buy', short: 'sell' };
const ORDER_TYPES = {
  market: 'market',
  limit: 'limit',
  stop_market: 'stop_market',
  stopmarket: 'stop_market',
  stop_limit: 'stop_limit',
  stoplimit: 'stop_limit',
} as const;
const PERCENT_MAX = new Decimal(100);
/** A resting limit order lives between ten seconds and seven days. */
const EXPIRES_IN_BOUNDS = { minMs: 10_000, maxMs: 7 * 86_400_000 };

export function normalizeSignal(
  fields: ReadonlyMap<string, unknown>,
  options: NormalizeOptions,
): SignalResult {
  const limits = options.limits ?? DEFAULT_SIGNAL_LIMITS;
  const problems: SignalProblem[] = [];
  const market = readMarket(fields, options.allowedSymbols, problems);
  const sideField = pickField(fields, FIELD_ALIASES.side, problems);
  const action = readAction(sideField?.raw);
  if (action !== undefined) return normalizeAction(fields, { ...options, action, market, problems });
  const size = readSize(fields, limits, problems);
  const side =
    sideField === undefined
      ? undefined
      : valueOrProblem(problems, 'side', readChoice(sideField.raw, 'side', SIDES));
  if (sideField === undefined && size?.kind !== 'target')
    problems.push({ field: 'side', message: 'missing side: give side or action (buy or sell)' });
  const order = readOrder(fields, limits, problems);
  const protection = readProtection(fields, limits, problems);
  if (Object.keys(protection).length > 0 && side !== 'buy')
    problems.push({
      field: 'stoploss',
      message:
        'stopLoss and takeProfit protect a buy entry: on spot a sell opens no position to protect; give them with side buy only',
    });
  const strategyField = pickField(fields, FIELD_ALIASES.strategy, problems);
  const strategy = strategyField && valueOrProblem(problems, 'strategy', readStrategy(strategyField.raw));
  const timeField = fields.has('timenow')
    ? { raw: fields.get('timenow') }
    : pickField(fields, FIELD_ALIASES.time.slice(1), problems);
  const alertAtMs = timeField && valueOrProblem(problems, 'time', readIsoTime(timeField.raw, 'time'));
  const ageMaxField = pickField(fields, FIELD_ALIASES.ageMax, problems);
  const ageMaxMs = ageMaxField && valueOrProblem(problems, 'age', readWholeMs(ageMaxField.raw, 'ageMaxMs'));
  const idField = pickField(fields, FIELD_ALIASES.id, problems);
  const clientId = idField && valueOrProblem(problems, 'id', readText(idField.raw, 'id', 128));
  if (clientId !== undefined && !/^[\w.:-]+$/.test(clientId))
    problems.push({ field: 'id', message: 'id may hold only letters, digits and . _ : -' });
  if (problems.length > 0 || market === undefined || size === undefined || order === undefined)
    return {
      ok: false,
      problems: problems.length > 0 ? problems : [{ field: 'body', message: 'invalid signal' }],
    };
  const signal: Signal = {
    symbol: toSymbol(market),
    base: market.base,
    quote: market.quote,
    ...(side === undefined ? {} : { side }),
    size,
    order,
    ...(strategy === undefined ? {} : { strategy }),
    alertAtMs: alertAtMs ?? options.receivedAtMs,
    alertTimeSource: alertAtMs === undefined ? 'received' : 'alert',
    receivedAtMs: options.receivedAtMs,
    ...(ageMaxMs === undefined ? {} : { ageMaxMs }),
    ...(clientId === undefined ? {} : { clientId }),
    ...protection,
  };
  // Built from checked fields: the schema (the contract with the engine) holds by construction, which
  // the tests check on every output; SignalStore.accept then takes it without parsing it again.
  return { ok: true, signal: vouchForSignal(signal) };
}

/** The field's value, or undefined with its problem added. */
function valueOrProblem<T>(
  problems: SignalProblem[],
  field: string,
  result: { ok: true; value: T } | { ok: false; message: string },
): T | undefined {
  if (result.ok) return result.value;
  problems.push({ field, message: result.message });
  return undefined;
}

/** `action: close` or `action: cancel` (in any of the side's fields): not a trade of its own. */
function readAction(raw: unknown): SignalAction | undefined {
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim().toLowerCase();
  return (SIGNAL_ACTIONS as readonly string[]).includes(text) ? (text as SignalAction) : undefined;
}

/**
 * A close or cancel names the symbol and (optionally) the strategy; the engine sizes a close from the
 * strategy's own position, so a size or price in the alert is refused rather than silently ignored.
 */
function normalizeAction(
  fields: ReadonlyMap<string, unknown>,
  context: NormalizeOptions & {
    action: SignalAction;
    market: Market | undefined;
    problems: SignalProblem[];
  },
): SignalResult {
  const { problems, market } = context;
  const sized = Object.values(SIZE_ALIASES)
    .flat()
    .filter((alias) => fields.has(alias));
  const priced = [...FIELD_ALIASES.price, ...FIELD_ALIASES.type].filter((alias) => fields.has(alias));
  for (const alias of [...sized, ...priced])
    problems.push({
      field: alias,
      message: `action ${context.action} takes no ${alias}: it acts on the strategy's own position and orders`,
    });
  const strategyField = pickField(fields, FIELD_ALIASES.strategy, problems);
  const strategy = strategyField === undefined ? undefined : readStrategy(strategyField.raw);
  if (strategy?.ok === false) problems.push({ field: 'strategy', message: strategy.message });
  const timeField = fields.has('timenow')
    ? { raw: fields.get('timenow') }
    : pickField(fields, FIELD_ALIASES.time.slice(1), problems);
  const time = timeField === undefined ? undefined : readIsoTime(timeField.raw, 'time');
  if (time?.ok === false) problems.push({ field: 'time', message: time.message });
  const idField = pickField(fields, FIELD_ALIASES.id, problems);
  const clientId = idField === undefined ? undefined : readText(idField.raw, 'id', 128);
  if (clientId?.ok === false) problems.push({ field: 'id', message: clientId.message });
  if (clientId?.ok === true && !/^[\w.:-]+$/.test(clientId.value))
    problems.push({ field: 'id', message: 'id may hold only letters, digits and . _ : -' });
  if (problems.length > 0 || market === undefined)
    return {
      ok: false,
      problems: problems.length > 0 ? problems : [{ field: 'body', message: 'invalid signal' }],
    };
  const alertAtMs = time?.ok === true ? time.value : undefined;
  const signal: Signal = {
    symbol: toSymbol(market),
    base: market.base,
    quote: market.quote,
    size: { kind: 'target', position: '0' },
    order: { type: 'market' },
    action: context.action,
    ...(strategy?.ok === true ? { strategy: strategy.value } : {}),
    alertAtMs: alertAtMs ?? context.receivedAtMs,
    alertTimeSource: alertAtMs === undefined ? 'received' : 'alert',
    receivedAtMs: context.receivedAtMs,
    ...(clientId?.ok === true ? { clientId: clientId.value } : {}),
  };
  return { ok: true, signal: vouchForSignal(signal) };
}

function readMarket(
  fields: ReadonlyMap<string, unknown>,
  allowedSymbols: ReadonlySet<string> | undefined,
  problems: SignalProblem[],
): Market | undefined {
  const field = pickField(fields, FIELD_ALIASES.symbol, problems);
  if (field === undefined) {
    problems.push({ field: 'symbol', message: 'missing symbol: give symbol or ticker, e.g. BTCIRT' });
    return undefined;
  }
  const text = readText(field.raw, 'symbol', 40);
  if (!text.ok) {
    problems.push({ field: 'symbol', message: text.message });
    return undefined;
  }
  let market: Market;
  try {
    market = parseMarket(text.value);
  } catch {
    problems.push({ field: 'symbol', message: `unknown symbol ${JSON.stringify(text.value)}` });
    return undefined;
  }
  if (allowedSymbols !== undefined && !allowedSymbols.has(toSymbol(market))) {
    problems.push({ field: 'symbol', message: `symbol ${toSymbol(market)} is not allowed here` });
    return undefined;
  }
  return market;
}

function readSize(
  fields: ReadonlyMap<string, unknown>,
  limits: SignalLimits,
  problems: SignalProblem[],
): SignalSize | undefined {
  const present: { kind: SignalSize['kind']; alias: string }[] = [];
  for (const kind of SIZE_KINDS)
    for (const alias of SIZE_ALIASES[kind]) if (fields.has(alias)) present.push({ kind, alias });
  const only = present[0];
  if (only === undefined || present.length > 1) {
    const given = present.length > 1 ? `, got ${present.map((entry) => entry.alias).join(' and ')}` : '';
    const message = `give exactly one size: amount (base), value (quote), percent, or position (target)${given}`;
    problems.push({ field: 'size', message: present.length === 0 ? `missing size: ${message}` : message });
    return undefined;
  }
  const rule: DecimalRule = {
    signed: only.kind === 'target',
    max: sizeMax(only.kind, limits),
    digitsMax: limits.digitsMax,
  };
  const text = readDecimal(fields.get(only.alias), only.alias, rule);
  if (!text.ok) {
    problems.push({ field: 'size', message: text.message });
    return undefined;
  }
  switch (only.kind) {
    case 'base':
      return { kind: 'base', amount: text.value };
    case 'quote':
      return { kind: 'quote', value: text.value };
    case 'percent':
      return { kind: 'percent', percent: text.value };
    case 'target':
      return { kind: 'target', position: text.value };
  }
}

function sizeMax(kind: SignalSize['kind'], limits: SignalLimits): Decimal {
  if (kind === 'base') return limits.amountMax;
  if (kind === 'quote') return limits.valueMax;
  if (kind === 'percent') return PERCENT_MAX;
  return limits.positionAbsMax;
}

function readOrder(
  fields: ReadonlyMap<string, unknown>,
  limits: SignalLimits,
  problems: SignalProblem[],
): SignalOrder | undefined {
  const typeField = pickField(fields, FIELD_ALIASES.type, problems);
  const typeResult = typeField === undefined ? undefined : readChoice(typeField.raw, 'type', ORDER_TYPES);
  if (typeResult?.ok === false) problems.push({ field: 'type', message: typeResult.message });
  const type = typeResult?.ok === true ? typeResult.value : typeField === undefined ? 'market' : undefined;
  const rule: DecimalRule = { signed: false, max: limits.valueMax, digitsMax: limits.digitsMax };
  const price = readOptionalDecimal(fields, 'price', rule, problems);
  const stopPrice = readOptionalDecimal(fields, 'stopPrice', rule, problems);
  if ((type === 'limit' || type === 'stop_limit') && price === undefined)
    problems.push({ field: 'price', message: `a ${type} order needs a price greater than 0` });
  if ((type === 'stop_market' || type === 'stop_limit') && stopPrice === undefined)
    problems.push({ field: 'stopprice', message: `a ${type} order needs a stopPrice greater than 0` });
  if (stopPrice !== undefined && (type === 'market' || type === 'limit'))
    problems.push({
      field: 'stopprice',
      message: 'stopPrice applies to stop_market and stop_limit orders only',
    });
  if (price !== undefined && type === 'stop_market')
    problems.push({
      field: 'price',
      message: 'a stop_market order takes stopPrice, not price (use stop_limit)',
    });
  const expiresInMs = readExpiresIn(fields, type, problems);
  if (type === undefined || price === null || stopPrice === null || expiresInMs === null) return undefined;
  const expires = expiresInMs === undefined ? {} : { expiresInMs };
  if (type === 'limit') return price === undefined ? undefined : { type, price, ...expires };
  if (type === 'stop_market') return stopPrice === undefined ? undefined : { type, stopPrice, ...expires };
  if (type === 'stop_limit')
    return price === undefined || stopPrice === undefined
      ? undefined
      : { type, price, stopPrice, ...expires };
  // A market order may carry the chart price ({{close}}) for information; it never limits the order.
  return price === undefined ? { type } : { type, referencePrice: price };
}

/** A decimal field by its aliases: undefined when absent, null (with a problem) when invalid. */
function readOptionalDecimal(
  fields: ReadonlyMap<string, unknown>,
  name: 'price' | 'stopPrice',
  rule: DecimalRule,
  problems: SignalProblem[],
): string | undefined | null {
  const field = pickField(fields, FIELD_ALIASES[name], problems);
  if (field === undefined) return undefined;
  const result = readDecimal(field.raw, name, rule);
  if (result.ok) return result.value;
  problems.push({ field: name.toLowerCase(), message: result.message });
  return null;
}

/** `expiresIn` of a resting order: a duration, or `gtc`; undefined when absent, null when invalid. */
function readExpiresIn(
  fields: ReadonlyMap<string, unknown>,
  type: SignalOrder['type'] | undefined,
  problems: SignalProblem[],
): number | 'gtc' | undefined | null {
  const field = pickField(fields, FIELD_ALIASES.expiresIn, problems);
  if (field === undefined) return undefined;
  if (type === 'market') {
    problems.push({ field: 'expires', message: 'expiresIn applies to resting (limit and stop) orders only' });
    return null;
  }
  if (typeof field.raw === 'string' && field.raw.trim().toLowerCase() === 'gtc') return 'gtc';
  const expires = readDurationMs(field.raw, 'expiresIn', EXPIRES_IN_BOUNDS);
  if (expires.ok) return expires.value;
  problems.push({ field: 'expires', message: `${expires.message} (or gtc: until filled or cancelled)` });
  return null;
}

/**
 * Percent levels are bounded: a stop-loss cannot be 100% or more below the entry, nor an OCO's
 * stop-limit price 100% or more below its stop.
 */
const PROTECT_PERCENT_MAX = {
  stopLoss: new Decimal(100),
  takeProfit: new Decimal(1_000),
  stopLimitPrice: new Decimal(100),
} as const;

type ProtectionFields = {
  stopLoss?: ProtectLevelSignal;
  takeProfit?: ProtectLevelSignal;
  stopLimitPrice?: ProtectLevelSignal;
};

/**
 * `stopLoss` / `takeProfit`: a price (`6800000000`) or a percentage from the fill price (`2%`);
 * `stopLimitPrice` (with both): the price the OCO's stop leg sells at once triggered, or a percentage
 * below the stop.
 */
function readProtection(
  fields: ReadonlyMap<string, unknown>,
  limits: SignalLimits,
  problems: SignalProblem[],
): ProtectionFields {
  const out: ProtectionFields = {};
  for (const name of ['stopLoss', 'takeProfit', 'stopLimitPrice'] as const) {
    const field = pickField(fields, FIELD_ALIASES[name], problems);
    if (field === undefined) continue;
    const raw = typeof field.raw === 'string' ? field.raw.trim() : field.raw;
    const isPercent = typeof raw === 'string' && raw.endsWith('%');
    const rule: DecimalRule = {
      signed: false,
      max: isPercent ? PROTECT_PERCENT_MAX[name] : limits.valueMax,
      digitsMax: limits.digitsMax,
    };
    const result = readDecimal(isPercent ? raw.slice(0, -1).trim() : raw, name, rule);
    if (!result.ok) {
      problems.push({
        field: name.toLowerCase(),
        message: `${result.message} (a price, or a percentage such as 2%)`,
      });
      continue;
    }
    if (isPercent && new Decimal(result.value).gte(PROTECT_PERCENT_MAX[name]))
      problems.push({
        field: name.toLowerCase(),
        message: `${name} must be below ${PROTECT_PERCENT_MAX[name].toFixed()}%`,
      });
    else out[name] = isPercent ? { percent: result.value } : { price: result.value };
  }
  const { stopLoss, takeProfit, stopLimitPrice } = out;
  if (stopLimitPrice === undefined) return out;
  if (stopLoss === undefined || takeProfit === undefined)
    problems.push({
      field: 'stoplimitprice',
      message:
        "stopLimitPrice sets the price of an OCO's stop leg: give it with both stopLoss and takeProfit",
    });
  else if (
    'price' in stopLimitPrice &&
    'price' in stopLoss &&
    new Decimal(stopLimitPrice.price).gt(stopLoss.price)
  )
    problems.push({
      field: 'stoplimitprice',
      message: 'stopLimitPrice must not be above stopLoss: the stop leg sells at or below its stop',
    });
  return out;
}

/** The strategy name: text of at most 100 characters, and not the bucket of what Keel did not place. */
function readStrategy(raw: unknown): FieldResult<string> {
  const text = readText(raw, 'strategy', 100);
  const reserved = text.ok ? reservedStrategyProblem(text.value) : undefined;
  return reserved === undefined ? text : { ok: false, message: reserved };
}
