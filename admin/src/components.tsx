import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type Api, type Session } from './api';
import { duration } from './format';
import type { Change, ChangeFeed } from './live';
import type { OrderStatus } from './types';

/** What every screen needs: the API with the signed-in token, who that is, the change feed. */
export interface Shell {
  api: Api;
  session: Session;
  feed: ChangeFeed;
}
export const ShellContext = createContext<Shell | undefined>(undefined);

export function useShell(): Shell {
  const shell = useContext(ShellContext);
  if (!shell) throw new Error('useShell outside a signed-in shell');
  return shell;
}

/** Calls `onChange` for every change the feed reports, with the latest closure. */
export function useLive(onChange: (change: Change) => void): void {
  const { feed } = useShell();
  const latest = useRef(onChange);
  latest.current = onChange;
  useEffect(() => feed.subscribe((change) => latest.current(change)), [feed]);
}

/** The current time, advancing every second (countdowns). */
export function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export function StatusBadge({ status }: { status: OrderStatus }) {
  return (
    <span class={`badge badge-${status}`} data-status={status}>
      {status.replace('_', ' ')}
    </span>
  );
}

/** Time left until `iso`, live: "in 14:05", or "overdue". */
export function Countdown({ iso }: { iso: string }) {
  const now = useNow();
  const left = (new Date(iso).getTime() - now) / 1000;
  return (
    <span class={left > 0 ? 'countdown' : 'countdown overdue'} role="timer">
      {left > 0 ? `in ${duration(left)}` : 'overdue'}
    </span>
  );
}

/** A refusal, as the API explained it. */
export function ProblemNote({ error }: { error: unknown }) {
  if (error instanceof ApiError) {
    return (
      <p class="problem" role="alert">
        <strong>{error.problem.title ?? `HTTP ${error.status}`}</strong> ({error.problem.code}):{' '}
        {error.problem.detail}
      </p>
    );
  }
  return (
    <p class="problem" role="alert">
      {error instanceof Error ? error.message : String(error)}
    </p>
  );
}

/** A labelled form field: the label names the control for screen readers. */
export function Field(props: { label: string; hint?: string; children: ComponentChildren }) {
  return (
    <label class="field">
      <span class="field-label">{props.label}</span>
      {props.children}
      {props.hint ? <span class="field-hint">{props.hint}</span> : null}
    </label>
  );
}
