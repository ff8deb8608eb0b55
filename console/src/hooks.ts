/** Small hooks the pages share: load data, poll it, debounce input, name the page, guard unsaved work. */

import { useCallback, useEffect, useRef, useState } from "react";

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
  /** Replace the data without a request (e.g. with what a write returned). */
  setData(data: T): void;
}

/** Runs `load` when `deps` change; a newer load wins over a slower older one. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let current = true;
    setLoading(true);
    loadRef.current().then(
      (value) => {
        if (!current) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (reason: unknown) => {
        if (!current) return;
        setError(reason);
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
    // The caller names the dependencies, as with useEffect.
  }, [...deps, generation]);

  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { data, error, loading, reload, setData };
}

/** Calls `tick` every `intervalMs` while `active`, waiting for each call before the next. */
export function usePoll(tick: () => Promise<unknown>, intervalMs: number, active: boolean): void {
  const tickRef = useRef(tick);
  tickRef.current = tick;
  useEffect(() => {
    if (!active) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const run = async () => {
      try {
        await tickRef.current();
      } catch {
        // the page shows its own error; keep polling so a blip does not freeze the progress bar
      }
      if (!stopped) timer = setTimeout(run, intervalMs);
    };
    timer = setTimeout(run, intervalMs);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [active, intervalMs]);
}

export function useDebounced<T>(value: T, delayMs: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return debounced;
}

export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Marketing console`;
  }, [title]);
}

/** While `unsaved`, the browser asks before the tab is closed, reloaded or sent to another site.
 * Links inside the console are not guarded: react-router's useBlocker needs a data router, and the
 * console runs on BrowserRouter. */
export function useUnsavedChangesWarning(unsaved: boolean): void {
  useEffect(() => {
    if (!unsaved) return;
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      event.returnValue = true; // browsers from before preventDefault() was enough
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [unsaved]);
}

/** A write action's state: run it, know when it runs, keep its error for the form. */
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const actionRef = useRef(action);
  actionRef.current = action;
  const run = useCallback(async (...args: A): Promise<R | undefined> => {
    setPending(true);
    setError(null);
    try {
      return await actionRef.current(...args);
    } catch (reason) {
      setError(reason);
      return undefined;
    } finally {
      setPending(false);
    }
  }, []);
  return { run, pending, error, setError };
}

export interface Page<T> {
  items: T[];
  next?: string | null;
}

/** A cursor-paginated list: the first page on load, more on demand. */
export function usePaged<T>(fetchPage: (next: string | undefined) => Promise<Page<T>>, deps: readonly unknown[]) {
  const first = useLoad(() => fetchPage(undefined), deps);
  const [more, setMore] = useState<{ items: T[]; next: string | null | undefined }>({ items: [], next: undefined });
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);
  const fetchRef = useRef(fetchPage);
  fetchRef.current = fetchPage;

  useEffect(() => {
    setMore({ items: [], next: undefined });
  }, [first.data]);

  const next = more.next === undefined ? first.data?.next : more.next;
  const loadMore = useCallback(async () => {
    if (!next) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await fetchRef.current(next);
      setMore((previous) => ({ items: [...previous.items, ...page.items], next: page.next ?? null }));
    } catch (reason) {
      setMoreError(reason);
    } finally {
      setLoadingMore(false);
    }
  }, [next]);

  return {
    items: [...(first.data?.items ?? []), ...more.items],
    loading: first.loading,
    error: first.error ?? moreError,
    hasMore: Boolean(next),
    loadingMore,
    loadMore,
    reload: first.reload,
  };
}
