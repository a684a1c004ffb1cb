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

/** Places the order; returns Nobitex's answer body (`status: ok` with the order, or `failed`). */
export async function placeManualOrder(
  simulator: Simulator,
  order: ManualOrder,
): Promise<{ status: string; code?: string; order?: { id: number; matchedAmount: string } }> {
  const response = await simulator.app.inject({
    method: 'POST',
    url: '/market/orders/add',
    headers: { authorization: `Token ${SIMULATOR_DEFAULT_TOKEN}`, 'content-type': 'application/json' },
    payload: JSON.stringify({
      type: order.type,
      srcCurrency: order.srcCurrency,
      dstCurrency: order.dstCurrency,
      amount: order.amount,
      execution: order.execution ?? 'market',
      ...(order.price === undefined ? {} : { price: order.price }),
      ...(order.pro === true ? { pro: 'yes' } : {}),
    }),
  });
  return JSON.parse(response.body) as Awaited<ReturnType<typeof placeManualOrder>>;
}
