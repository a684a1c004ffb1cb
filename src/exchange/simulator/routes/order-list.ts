// Filtering, ordering and paging for GET /market/orders/list, as the reference describes (5.3).
import { isOpenStatus, type SimOrder } from '../types.js';

export const LIST_PAGE_SIZE_DEFAULT = 100;
export const LIST_PAGE_SIZE_MAX = 1_000;

const STATUS_FILTERS: Readonly<Record<string, (o: SimOrder) => boolean>> = {
  open: (o) => isOpenStatus(o.status),
  all: () => true,
  done: (o) => o.matchedAmount.gt(0),
  close: (o) => o.status === 'Done' || o.status === 'Canceled',
};

const ORDERINGS: Readonly<Record<string, (a: SimOrder, b: SimOrder) => number>> = {
  id: (a, b) => a.id - b.id,
  '-id': (a, b) => b.id - a.id,
  created_at: (a, b) => a.createdAtMs - b.createdAtMs || a.id - b.id,
  '-created_at': (a, b) => b.createdAtMs - a.createdAtMs || b.id - a.id,
  price: (a, b) => a.worstPrice.comparedTo(b.worstPrice) || a.id - b.id,
  '-price': (a, b) => b.worstPrice.comparedTo(a.worstPrice) || b.id - a.id,
};

export function listOrders(
  orders: readonly SimOrder[],
  token: string,
  param: (name: string) => string | undefined,
): { orders: SimOrder[]; hasNext: boolean } | { error: string } {
  const statusFilter = STATUS_FILTERS[param('status') ?? 'open'];
  if (statusFilter === undefined) return { error: 'Invalid status' };
  const type = param('type');
  const execution = param('execution')?.toLowerCase();
  const src = param('srcCurrency')?.toLowerCase();
  const dst = param('dstCurrency')?.toLowerCase();
  const fromIdText = param('fromId');
  const fromId = fromIdText === undefined ? undefined : Number(fromIdText);
  const page = Number(param('page') ?? '1');
  const pageSize = Number(param('pageSize') ?? String(LIST_PAGE_SIZE_DEFAULT));
  if (fromId !== undefined && (!Number.isSafeInteger(fromId) || param('page') !== undefined))
    return { error: 'fromId must be an integer and cannot be combined with page' };
  if (!Number.isInteger(page) || page < 1) return { error: 'Invalid page' };
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > LIST_PAGE_SIZE_MAX)
    return { error: 'Invalid pageSize' };
  const orderKey =
    param('order') ??
    (fromId !== undefined ? '-id' : type === 'buy' ? '-price' : type === 'sell' ? 'price' : '-created_at');
  const compare = ORDERINGS[orderKey];
  if (compare === undefined) return { error: 'Invalid order' };
  const matching = orders.filter(
    (o) =>
      o.token === token &&
      statusFilter(o) &&
      (type === undefined || o.type === type) &&
      (execution === undefined || o.execution === execution) &&
      (src === undefined || o.market.base === src) &&
      (dst === undefined || o.market.quote === dst) &&
      (fromId === undefined || o.id > fromId),
  );
  matching.sort(compare);
  const start = (page - 1) * pageSize;
  return { orders: matching.slice(start, start + pageSize), hasNext: matching.length > start + pageSize };
}
