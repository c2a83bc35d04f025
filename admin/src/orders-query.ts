import { ApiError, type Api } from './api';
import { localToIso, UUID } from './format';
import type { Order } from './types';

/** What the list's filter form holds. */
export interface Filters {
  status: string;
  /** `<input type="datetime-local">` values; empty when not set. */
  from: string;
  to: string;
  /** An order id (whole or its start) or a buyer id (whole or part). */
  search: string;
}

export const NO_FILTERS: Filters = { status: '', from: '', to: '', search: '' };

export interface ListPage {
  orders: Order[];
  /** The API's cursor for the rest, null at the end. */
  nextCursor: string | null;
  /** Orders read to find these (more than shown when filtering in the page). */
  scanned: number;
}

/** Orders read per API page; with a filter the API does not have, up to 5 pages per screen. */
const PAGE = 20;
const SCAN_PAGE = 100;
const SCAN_PAGES = 5;

/**
 * One screen of the list, newest first. `GET /v1/orders` filters by status; the contract
 * has no filter by time or buyer, so those narrow what its pages return, here: pages are
 * read until enough match, the list is older than `from`, or 500 orders were read. A
 * whole order id is looked up directly.
 */
export async function loadOrders(api: Api, filters: Filters, cursor?: string): Promise<ListPage> {
  const search = filters.search.trim().toLowerCase();
  const from = localToIso(filters.from);
  const to = localToIso(filters.to);
  const matches = (o: Order) =>
    (!filters.status || o.status === filters.status) &&
    (!from || o.createdAt >= from) &&
    (!to || o.createdAt <= to) &&
    (!search || o.id.startsWith(search) || o.buyerId.toLowerCase().includes(search));

  if (UUID.test(search) && !cursor) {
    try {
      const { body } = await api.get<Order>(`/v1/orders/${search}`);
      if (matches(body)) return { orders: [body], nextCursor: null, scanned: 1 };
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
  }
  const inPage = Boolean(search || from || to);
  const orders: Order[] = [];
  let scanned = 0;
  let next: string | null | undefined = cursor;
  for (let pages = 0; pages < (inPage ? SCAN_PAGES : 1); pages++) {
    const query = new URLSearchParams({ limit: String(inPage ? SCAN_PAGE : PAGE) });
    if (filters.status) query.set('status', filters.status);
    if (next) query.set('cursor', next);
    const { body } = await api.get<{ orders: Order[]; nextCursor: string | null }>(
      `/v1/orders?${query.toString()}`,
    );
    scanned += body.orders.length;
    orders.push(...body.orders.filter(matches));
    next = body.nextCursor;
    const oldest = body.orders.at(-1)?.createdAt;
    if (from && oldest !== undefined && oldest < from) next = null;
    if (next === null || orders.length >= PAGE) break;
  }
  return { orders, nextCursor: next ?? null, scanned };
}

/** The sum of the orders' totals, per currency: "$12.00 + €3.00". */
export function totalsByCurrency(orders: Order[]): [string, number][] {
  const sums = new Map<string, number>();
  for (const o of orders) sums.set(o.currency, (sums.get(o.currency) ?? 0) + o.totalCents);
  return [...sums];
}
