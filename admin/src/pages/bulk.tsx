import { useEffect, useRef, useState } from 'preact/hooks';
import { Field, StatusBadge, useShell } from '../components';
import { money, shortId, toMajor } from '../format';
import type { BulkResult, Order } from '../types';
import { actionBody, FormEnd } from './order-actions';

type Action = 'ship' | 'cancel' | 'refund' | 'reprice';
const LABELS: Record<Action, string> = {
  ship: 'Ship',
  cancel: 'Cancel',
  refund: 'Refund',
  reprice: 'Reprice',
};

/** What the dialog was opened on: the orders as they were on screen, and one key for retries. */
interface Draft {
  action: Action;
  orders: Order[];
  idempotencyKey: string;
}

/**
 * The selection's bulk actions. Each goes to `POST /v1/orders/bulk/<action>` with every
 * order's version as it was on screen (`ifMatch`), so an order that changed meanwhile is
 * refused (412) rather than overwritten; each order's outcome is listed after.
 */
export function BulkBar(props: { orders: Order[]; onDone: () => void; onClear: () => void }) {
  const [draft, setDraft] = useState<Draft>();
  const [results, setResults] = useState<BulkResult[]>();
  const count = props.orders.length;
  const open = (action: Action) => {
    setResults(undefined);
    setDraft({ action, orders: props.orders, idempotencyKey: crypto.randomUUID() });
  };
  return (
    <div class="bulk">
      <div class="bulk-bar" role="toolbar" aria-label="Bulk actions on the selected orders">
        <span>{count} selected</span>
        {(Object.keys(LABELS) as Action[]).map((action) => (
          <button type="button" key={action} disabled={count === 0} onClick={() => open(action)}>
            {LABELS[action]} selected…
          </button>
        ))}
        {count > 0 ? (
          <button type="button" class="secondary" onClick={props.onClear}>
            Clear selection
          </button>
        ) : null}
      </div>
      {draft ? (
        <BulkDialog
          draft={draft}
          onClose={() => setDraft(undefined)}
          onResults={(r) => {
            setResults(r);
            setDraft(undefined);
            props.onDone();
          }}
        />
      ) : null}
      {results ? <BulkResults results={results} onDismiss={() => setResults(undefined)} /> : null}
    </div>
  );
}

function BulkDialog(props: {
  draft: Draft;
  onClose: () => void;
  onResults: (results: BulkResult[]) => void;
}) {
  const { api } = useShell();
  const { action, orders, idempotencyKey } = props.draft;
  const dialog = useRef<HTMLDialogElement>(null);
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      orders.map((o) => [o.id, action === 'reprice' ? toMajor(o.totalCents, o.currency) : '']),
    ),
  );
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  useEffect(() => dialog.current?.showModal(), []);

  const bodyOf = (o: Order) => actionBody(action, values[o.id] ?? '', reason, o.currency);
  const submit = async (event: Event) => {
    event.preventDefault();
    const entries = orders.map((o) => ({ id: o.id, ifMatch: `"${o.version}"`, body: bodyOf(o) }));
    if (entries.some((e) => e.body === undefined)) {
      setError(new Error('Every new total must be an amount such as 12.50.'));
      return;
    }
    setBusy(true);
    try {
      const { body } = await api.post<{ results: BulkResult[] }>(
        `/v1/orders/bulk/${action}`,
        { orders: entries },
        { idempotencyKey },
      );
      props.onResults(body.results);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const perOrder = action === 'ship' || action === 'reprice';
  return (
    <dialog ref={dialog} onClose={props.onClose} aria-labelledby="bulk-title">
      <form onSubmit={(e) => void submit(e)}>
        <h2 id="bulk-title">
          {LABELS[action]} {orders.length} {orders.length === 1 ? 'order' : 'orders'}
        </h2>
        {perOrder ? (
          <ul class="bulk-entries">
            {orders.map((o) => (
              <li key={o.id}>
                <Field
                  label={`${action === 'ship' ? 'Tracking number' : 'New total'} for order ${shortId(o.id)}`}
                  hint={`${o.status.replace('_', ' ')} · now ${money(o.totalCents, o.currency)}`}
                >
                  <input
                    name={`value-${o.id}`}
                    inputMode={action === 'reprice' ? 'decimal' : undefined}
                    required={action === 'reprice'}
                    value={values[o.id]}
                    onInput={(e) => setValues({ ...values, [o.id]: e.currentTarget.value })}
                  />
                </Field>
              </li>
            ))}
          </ul>
        ) : null}
        {action !== 'ship' ? (
          <Field label="Reason (optional)">
            <input name="reason" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          </Field>
        ) : null}
        <FormEnd
          error={error}
          busy={busy}
          label={`${LABELS[action]} ${orders.length}`}
          onClose={() => dialog.current?.close()}
        />
      </form>
    </dialog>
  );
}

function BulkResults(props: { results: BulkResult[]; onDismiss: () => void }) {
  const done = props.results.filter((r) => r.status === 200).length;
  return (
    <section class="bulk-results" aria-labelledby="bulk-results-title" role="status">
      <h2 id="bulk-results-title">
        {done} of {props.results.length} done
      </h2>
      <ul>
        {props.results.map((r) => (
          <li key={r.id} data-result-for={r.id} class={r.status === 200 ? 'ok' : 'refused'}>
            <a href={`#/orders/${r.id}`}>
              <code>{shortId(r.id)}</code>
            </a>{' '}
            {r.order ? (
              <>
                done: <StatusBadge status={r.order.status} />
              </>
            ) : (
              <span>
                refused ({r.status} <code>{r.error?.code}</code>): {r.error?.detail}
              </span>
            )}
          </li>
        ))}
      </ul>
      <button type="button" class="secondary" onClick={props.onDismiss}>
        Dismiss
      </button>
    </section>
  );
}
