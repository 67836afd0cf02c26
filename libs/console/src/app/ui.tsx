import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { describeError, type Page } from "./api.ts";

/** Something loaded from the API, with a way to load it again. */
export interface Loaded<T> {
  value: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * Runs `load` now and whenever `deps` change. `reload` stays the same function and always runs the
 * latest `load` (of the page, search or query shown now), so a handler that finishes after the
 * view moved on reloads what is shown; an answer that arrives after a newer request started is
 * dropped, so a slow page never overwrites a fresh one.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ value?: T; error?: unknown; loading: boolean }>({
    loading: true,
  });
  const latest = useRef(0);
  const current = useRef(load);
  current.current = load;
  const reload = useCallback(() => {
    const ticket = ++latest.current;
    setState((previous) => ({ ...previous, loading: true }));
    current.current().then(
      (value) => ticket === latest.current && setState({ value, loading: false }),
      (error) => ticket === latest.current && setState({ error, loading: false }),
    );
  }, []);
  useEffect(reload, deps);
  return { value: state.value, error: state.error, loading: state.loading, reload };
}

/** Calls `tick` every `ms` while mounted. */
export function useInterval(tick: () => void, ms: number): void {
  const saved = useRef(tick);
  saved.current = tick;
  useEffect(() => {
    const timer = setInterval(() => saved.current(), ms);
    return () => clearInterval(timer);
  }, [ms]);
}

/** An error, as the API explained it; nothing when there is none. */
export function ErrorNote({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null;
  return (
    <p class="error" role="alert">
      {describeError(error)}
    </p>
  );
}

/** Runs an action, showing its error and keeping the button busy until it settles. */
export function useAction(): {
  busy: boolean;
  error: unknown;
  run: (action: () => Promise<unknown>) => Promise<boolean>;
  clear: () => void;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      return true;
    } catch (caught) {
      setError(caught);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, clear: () => setError(undefined) };
}

/** Previous / next page of a list answer, with where we are; nothing until it is loaded. */
export function Pager(props: { of: Page<unknown> | undefined; onPage: (page: number) => void }) {
  if (!props.of) return null;
  const { page, totalPages, totalItems } = props.of;
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled={page <= 1} onClick={() => props.onPage(page - 1)}>
        Previous
      </button>
      <span>
        Page {page} of {Math.max(totalPages, 1)} · {totalItems} in all
      </span>
      <button type="button" disabled={page >= totalPages} onClick={() => props.onPage(page + 1)}>
        Next
      </button>
    </nav>
  );
}

/** A titled section of a page. */
export function Panel(props: {
  title: string;
  actions?: ComponentChildren;
  children: ComponentChildren;
}) {
  return (
    <section class="panel">
      <header>
        <h2>{props.title}</h2>
        {props.actions && <div class="actions">{props.actions}</div>}
      </header>
      {props.children}
    </section>
  );
}

/** A table's header row; an empty name is the column of a row's buttons. */
export function TableHead(props: { columns: readonly string[] }) {
  return (
    <thead>
      <tr>
        {props.columns.map((name) =>
          name === "" ? <th key={name} /> : <th key={name}>{name}</th>,
        )}
      </tr>
    </thead>
  );
}

/** Short local time of an ISO date. */
export function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
