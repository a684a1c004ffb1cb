// The account holder trading by hand on the same account, outside Keel: a request straight to the
// simulator, as the Nobitex website or another bot would send it.
import { SIMULATOR_DEFAULT_TOKEN, type Simulator } from '../../src/exchange/simulator/index.js';

export interface ManualOrder {
  readonly type: 'buy' | 'sell';
  readonly srcCurrency: string;
  readonly dstCurrency: string;
  readonly amount: string;
  readonly execution?: 'market' | 'limit';
  readonly price?: string;
  /** Nobitex's pro mode: no 10-second duplicate guard. */
  readonly pro?: boolean;
}

export type ManualAnswer = { status: string; code?: string; order?: { id: number; matchedAmount: string } };

/** The request body, as the website or another bot would send it. */
export function manualOrderBody(order: ManualOrder): string {
  return JSON.stringify({
    type: order.type,
    srcCurrency: order.srcCurrency,
    dstCurrency: order.dstCurrency,
    amount: order.amount,
    execution: order.execution ?? 'market',
    ...(order.price === undefined ? {} : { price: order.price }),
    ...(order.pro === true ? { pro: 'yes' } : {}),
  });
}

export const MANUAL_HEADERS = {
  authorization: `Token ${SIMULATOR_DEFAULT_TOKEN}`,
  'content-type': 'application/json',
} as const;

/** Places the order straight on the simulator (no faults in the way); returns Nobitex's answer body. */
export async function placeManualOrder(simulator: Simulator, order: ManualOrder): Promise<ManualAnswer> {
  const response = await simulator.app.inject({
    method: 'POST',
    url: '/market/orders/add',
    headers: MANUAL_HEADERS,
    payload: manualOrderBody(order),
  });
  return JSON.parse(response.body) as ManualAnswer;
}
