import { useEffect, useState } from 'preact/hooks';
import { ORDER_STATUSES } from '../../../machines/order.machine';
import { Field, ProblemNote, StatusBadge, useLive, useShell } from '../components';
import { money, shortId, when } from '../format';
import {
  loadOrders,
  NO_FILTERS,
  totalsByCurrency,
  type Filters,
  type ListPage,
} from '../orders-query';
import type { Order } from '../types';
import { BulkBar } from './bulk';

/** The orders list: filters, newest first, cursor paging, selection and bulk actions. */
export function OrdersPage() {
  const { api } = useShell();
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  /** Cursors of the pages before this one (for "Previous"), and this page's. */
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<ListPage>();
  const [error, setError] = useState<unknown>();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const cursor = cursors[cursors.length - 1];

  const reload = async () => {
    try {
      setPage(await loadOrders(api, filters, cursor));
      setError(undefined);
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => {
    setPage(undefined);
    void reload();
  }, [filters, cursor]);
  useLive(() => void reload());

  const apply = (event: Event) => {
    event.preventDefault();
    setCursors([undefined]);
    setSelected(new Set());
    setFilters({ ...draft });
  };
  const orders = page?.orders ?? [];
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };
  const allSelected = orders.length > 0 && orders.every((o) => selected.has(o.id));
  const chosen = orders.filter((o) => selected.has(o.id));

  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title">Orders</h1>
      <form class="filters" onSubmit={apply} aria-label="Filter orders">
        <Field label="Status">
          <select
            name="status"
            value={draft.status}
            onChange={(e) => setDraft({ ...draft, status: e.currentTarget.value })}
          >
            <option value="">any</option>
            {ORDER_STATUSES.map((s) => (
              <option value={s} key={s}>
                {s.replace('_', ' ')}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Created from">
          <input
            type="datetime-local"
            name="from"
            value={draft.from}
            onInput={(e) => setDraft({ ...draft, from: e.currentTarget.value })}
          />
        </Field>
        <Field label="Created to">
          <input
            type="datetime-local"
            name="to"
            value={draft.to}
            onInput={(e) => setDraft({ ...draft, to: e.currentTarget.value })}
          />
        </Field>
        <Field label="Order or buyer id">
          <input
            type="search"
            name="search"
            placeholder="order id or buyer id"
            value={draft.search}
            onInput={(e) => setDraft({ ...draft, search: e.currentTarget.value })}
          />
        </Field>
        <button type="submit">Apply filters</button>
      </form>

      {error ? <ProblemNote error={error} /> : null}
      <BulkBar
        orders={chosen}
        onDone={() => void reload()}
        onClear={() => setSelected(new Set())}
      />

      <div class="table-wrap">
        <table class="orders" aria-busy={page === undefined}>
          <caption class="visually-hidden">Orders, newest first</caption>
          <thead>
            <tr>
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label="Select every order on this page"
                  checked={allSelected}
                  onChange={() =>
                    setSelected(allSelected ? new Set() : new Set(orders.map((o) => o.id)))
                  }
                />
              </th>
              <th scope="col">Order</th>
              <th scope="col">Status</th>
              <th scope="col" class="wide">
                Buyer
              </th>
              <th scope="col" class="wide">
                Items
              </th>
              <th scope="col" class="num">
                Total
              </th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {orders.map((o) => (
              <OrderRow key={o.id} order={o} selected={selected.has(o.id)} onToggle={toggle} />
            ))}
          </tbody>
          <tfoot>
            <tr>
              <td colSpan={7}>
                {page === undefined ? (
                  'Loading…'
                ) : (
                  <span data-testid="totals">
                    {orders.length} orders shown
                    {page.scanned > orders.length ? ` (of ${page.scanned} read)` : ''} · total{' '}
                    {totalsByCurrency(orders)
                      .map(([currency, cents]) => money(cents, currency))
                      .join(' + ') || '0'}
                  </span>
                )}
              </td>
            </tr>
          </tfoot>
        </table>
      </div>
      <nav class="pager" aria-label="Pages">
        <button
          type="button"
          class="secondary"
          disabled={cursors.length < 2}
          onClick={() => setCursors(cursors.slice(0, -1))}
        >
          Previous page
        </button>
        <button
          type="button"
          class="secondary"
          disabled={!page?.nextCursor}
          onClick={() => page?.nextCursor && setCursors([...cursors, page.nextCursor])}
        >
          Next page
        </button>
      </nav>
    </section>
  );
}

/** "1 unit", "3 units". */
function units(o: Order): string {
  const n = o.items.reduce((sum, i) => sum + i.quantity, 0);
  return `${n} ${n === 1 ? 'unit' : 'units'}`;
}

function OrderRow(props: { order: Order; selected: boolean; onToggle: (id: string) => void }) {
  const o = props.order;
  return (
    <tr data-order-id={o.id} class={props.selected ? 'selected' : undefined}>
      <td>
        <input
          type="checkbox"
          aria-label={`Select order ${shortId(o.id)}`}
          checked={props.selected}
          onChange={() => props.onToggle(o.id)}
        />
      </td>
      <td>
        <a href={`#/orders/${o.id}`} aria-label={`Open order ${shortId(o.id)}`}>
          <code>{shortId(o.id)}</code>
        </a>
      </td>
      <td>
        <StatusBadge status={o.status} />
      </td>
      <td class="wide">
        <code>{o.buyerId}</code>
      </td>
      <td class="wide">{units(o)}</td>
      <td class="num">{money(o.totalCents, o.currency)}</td>
      <td>{when(o.createdAt)}</td>
    </tr>
  );
}
