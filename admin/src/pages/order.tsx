import { useEffect, useState } from 'preact/hooks';
import { eventsAcceptedIn } from '../../../machines/order.lifecycle';
import type { OrderEventType } from '../../../machines/order.machine';
import { maySend } from '../../../src/orders/policy';
import type { ApiError } from '../api';
import { Countdown, ProblemNote, StatusBadge, useLive, useShell } from '../components';
import { concernsOrder } from '../live';
import { money, shortId, when } from '../format';
import type { Order, OrderEvent } from '../types';
import { ActionForm, ACTION_OF, type Action } from './order-actions';
import { Timeline } from './timeline';

export interface Loaded {
  order: Order;
  events: OrderEvent[];
}

/** What the order looked like when an action was refused for being stale, and what it is now. */
export interface Conflict {
  base: Order;
  now: Loaded;
  error: ApiError;
}

/** The actions this caller may send in the order's status: the machine and the role table. */
function allowedActions(order: Order, role: string, id: string): Action[] {
  if (role !== 'merchant' && role !== 'buyer') return [];
  return eventsAcceptedIn(order.status)
    .filter((type: OrderEventType) => maySend({ role, id }, type))
    .flatMap((type) => (ACTION_OF[type] ? [ACTION_OF[type]] : []));
}

/** One order: items, totals, deadline, gifts, its history and the actions allowed now. */
export function OrderPage({ id }: { id: string }) {
  const { api, session } = useShell();
  const [loaded, setLoaded] = useState<Loaded>();
  const [error, setError] = useState<unknown>();
  const [action, setAction] = useState<{ name: Action; base: Order }>();
  const [conflict, setConflict] = useState<Conflict>();
  const [notice, setNotice] = useState<string>();

  const load = async (): Promise<Loaded | undefined> => {
    try {
      const [order, events] = await Promise.all([
        api.get<Order>(`/v1/orders/${id}`),
        api.get<{ events: OrderEvent[] }>(`/v1/orders/${id}/events`),
      ]);
      const next = { order: order.body, events: events.body.events };
      setLoaded(next);
      setError(undefined);
      return next;
    } catch (e) {
      setError(e);
      return undefined;
    }
  };
  useEffect(() => void load(), [id]);
  useLive((change) => {
    if (concernsOrder(change, id)) void load();
  });

  if (!loaded) {
    return error ? <ProblemNote error={error} /> : <p aria-busy="true">Loading order…</p>;
  }
  const { order, events } = loaded;
  const actions = allowedActions(order, session.role, session.id);
  const onRefused = async (refusal: ApiError, base: Order) => {
    const now = await load();
    if (now) setConflict({ base, now, error: refusal });
  };
  const reload = async () => {
    setConflict(undefined);
    setAction(undefined);
    await load();
  };
  return (
    <article aria-labelledby="order-title" class="order">
      <p>
        <a href="#/orders">← Orders</a>
      </p>
      <h1 id="order-title">
        Order <code>{shortId(order.id)}</code> <StatusBadge status={order.status} />
      </h1>
      <dl class="facts">
        <dt>Id</dt>
        <dd>
          <code>{order.id}</code>
        </dd>
        <dt>Buyer</dt>
        <dd>
          <code>{order.buyerId}</code>
        </dd>
        <dt>Version</dt>
        <dd data-testid="version">{order.version}</dd>
        <dt>Total</dt>
        <dd data-testid="total">{money(order.totalCents, order.currency)}</dd>
        <dt>Paid</dt>
        <dd>{order.paidCents === null ? 'not yet' : money(order.paidCents, order.currency)}</dd>
        <dt>Payment due</dt>
        <dd>
          {when(order.paymentDueAt)}{' '}
          {order.status === 'pending_payment' ? <Countdown iso={order.paymentDueAt} /> : null}
        </dd>
        <dt>Created</dt>
        <dd>{when(order.createdAt)}</dd>
      </dl>

      <h2>Items</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">SKU</th>
              <th scope="col" class="num">
                Quantity
              </th>
              <th scope="col" class="num">
                Unit price
              </th>
              <th scope="col" class="num">
                Line
              </th>
            </tr>
          </thead>
          <tbody>
            {order.items.map((item, i) => (
              <tr key={i}>
                <td>
                  <code>{item.sku}</code>
                </td>
                <td class="num">{item.quantity}</td>
                <td class="num">{money(item.unitPriceCents, order.currency)}</td>
                <td class="num">{money(item.unitPriceCents * item.quantity, order.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2>Gifts</h2>
      {order.gifts?.length ? (
        <ul>
          {order.gifts.map((g) => (
            <li key={g.productId}>
              {g.quantity} × <code>{g.sku}</code>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">No gifts on this order.</p>
      )}

      <h2>Actions</h2>
      {notice ? <p role="status">{notice}</p> : null}
      {actions.length === 0 ? (
        <p class="muted">No action is allowed in this status.</p>
      ) : (
        <div class="actions" role="group" aria-label="Actions allowed now">
          {actions.map((name) => (
            <button
              type="button"
              key={name}
              aria-pressed={action?.name === name}
              onClick={() => {
                setConflict(undefined);
                setNotice(undefined);
                setAction({ name, base: order });
              }}
            >
              {name[0]?.toUpperCase()}
              {name.slice(1)}…
            </button>
          ))}
        </div>
      )}
      {action ? (
        <ActionForm
          key={action.name}
          action={action.name}
          base={action.base}
          current={order}
          onDone={(next) => {
            setAction(undefined);
            setNotice(`${action.name} done: version ${next.version}.`);
            void load();
          }}
          onRefused={(refusal) => void onRefused(refusal, action.base)}
          onCancel={() => setAction(undefined)}
        />
      ) : null}
      {conflict ? <ConflictNote conflict={conflict} onReload={() => void reload()} /> : null}

      <h2>Timeline</h2>
      <Timeline events={events} currency={order.currency} />
    </article>
  );
}

/** A stale action: what changed since the form was opened, and a way to start again. */
function ConflictNote(props: { conflict: Conflict; onReload: () => void }) {
  const { base, now, error } = props.conflict;
  const current = now.order;
  const since = now.events.filter((e) => e.version > base.version);
  return (
    <section class="conflict" role="alert" aria-labelledby="conflict-title">
      <h3 id="conflict-title">
        {error.status === 412 ? 'Changed elsewhere (412)' : `Refused: ${error.problem.code}`} —
        nothing was applied
      </h3>
      <p>
        You acted on version {base.version}; the order is now at version {current.version}.
      </p>
      <ul>
        {base.status !== current.status ? (
          <li>
            Status: <StatusBadge status={base.status} /> → <StatusBadge status={current.status} />
          </li>
        ) : null}
        {base.totalCents !== current.totalCents ? (
          <li>
            Total: {money(base.totalCents, base.currency)} →{' '}
            {money(current.totalCents, current.currency)}
          </li>
        ) : null}
        {since.map((e) => (
          <li key={e.seq}>
            {e.type} by {e.actor.role} <code>{e.actor.id}</code> at {when(e.at)}
          </li>
        ))}
      </ul>
      <button type="button" onClick={props.onReload}>
        Reload the order
      </button>
    </section>
  );
}
