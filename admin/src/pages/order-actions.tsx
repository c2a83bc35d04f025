import { useState } from 'preact/hooks';
import type { OrderEventType } from '../../../machines/order.machine';
import { ApiError } from '../api';
import { Field, ProblemNote, useShell } from '../components';
import { money, parseMoney, toMajor } from '../format';
import type { Order } from '../types';

export type Action = 'reprice' | 'cancel' | 'ship' | 'deliver' | 'refund';
/** The path of each event a page user may send (PAY is the buyer's app's; EXPIRE a timer's). */
export const ACTION_OF: Partial<Record<OrderEventType, Action>> = {
  REPRICE: 'reprice',
  CANCEL: 'cancel',
  SHIP: 'ship',
  DELIVER: 'deliver',
  REFUND: 'refund',
};

/**
 * The request body of `action` from what a form holds: `value` is the new total (major
 * units) of a reprice or the tracking number of a shipment. Undefined when a total is not
 * an amount.
 */
export function actionBody(
  action: Action,
  value: string,
  reason: string,
  currency: string,
): object | undefined {
  const withReason = (body: object) => (reason.trim() ? { ...body, reason: reason.trim() } : body);
  switch (action) {
    case 'reprice': {
      const totalCents = parseMoney(value, currency);
      return Number.isNaN(totalCents) ? undefined : withReason({ totalCents });
    }
    case 'ship':
      return value.trim() ? { trackingNumber: value.trim() } : {};
    case 'deliver':
      return {};
    default:
      return withReason({});
  }
}

/** The end of an action form: its refusal, if any, then send and close. */
export function FormEnd(props: {
  error: unknown;
  busy: boolean;
  label: string;
  onClose: () => void;
}) {
  return (
    <>
      {props.error ? <ProblemNote error={props.error} /> : null}
      <div class="actions">
        <button type="submit" disabled={props.busy}>
          {props.busy ? 'Sending…' : props.label}
        </button>
        <button type="button" class="secondary" onClick={props.onClose}>
          Close
        </button>
      </div>
    </>
  );
}

/**
 * One action's form, sent with `If-Match` of the version it was opened on (`base`), never
 * the one a live update brought since: a change made elsewhere meanwhile is refused by
 * the API (412) and shown, not overwritten.
 */
export function ActionForm(props: {
  action: Action;
  base: Order;
  current: Order;
  onDone: (order: Order) => void;
  onRefused: (error: ApiError) => void;
  onCancel: () => void;
}) {
  const { api } = useShell();
  const { action, base } = props;
  const [value, setValue] = useState(
    action === 'reprice' ? toMajor(base.totalCents, base.currency) : '',
  );
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const payload = actionBody(action, value, reason, base.currency);
    if (!payload) {
      setError(new Error('The new total must be an amount such as 12.50.'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const res = await api.post<Order>(`/v1/orders/${base.id}/${action}`, payload, {
        ifMatch: base.version,
      });
      props.onDone(res.body);
    } catch (e) {
      const stale =
        e instanceof ApiError && (e.status === 412 || e.problem.code === 'price_changed');
      if (stale) props.onRefused(e);
      else setError(e);
    } finally {
      setBusy(false);
    }
  };
  const moved = props.current.version !== base.version;
  return (
    <form class="action-form" onSubmit={(e) => void submit(e)} aria-label={`${action} the order`}>
      {moved ? (
        <p class="warning" role="status">
          This order changed since you opened this form (version {base.version} →{' '}
          {props.current.version}). Sending it will be refused; reload to act on the new version.
        </p>
      ) : null}
      {action === 'reprice' ? (
        <Field
          label={`New total (${base.currency})`}
          hint={`now ${money(base.totalCents, base.currency)}`}
        >
          <input
            name="totalCents"
            inputMode="decimal"
            required
            value={value}
            onInput={(e) => setValue(e.currentTarget.value)}
          />
        </Field>
      ) : null}
      {action === 'ship' ? (
        <Field label="Tracking number (optional)">
          <input
            name="trackingNumber"
            value={value}
            onInput={(e) => setValue(e.currentTarget.value)}
          />
        </Field>
      ) : null}
      {action === 'reprice' || action === 'cancel' || action === 'refund' ? (
        <Field label="Reason (optional)">
          <input name="reason" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </Field>
      ) : null}
      <FormEnd error={error} busy={busy} label={`Send ${action}`} onClose={props.onCancel} />
    </form>
  );
}
