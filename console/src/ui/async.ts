import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { asProblem } from '../api/client.ts';
import type { ApiProblem } from '../api/problem.ts';

export type AsyncState<T> =
  | { readonly status: 'loading'; readonly data?: T }
  | { readonly status: 'ready'; readonly data: T }
  | { readonly status: 'failed'; readonly problem: ApiProblem; readonly data?: T };

/**
 * Runs `load` when `deps` change and keeps its outcome; a later run wins over an earlier one still
 * in flight. `reload()` runs it again keeping the shown data (no flash of emptiness).
 */
export function useAsync<T>(
  load: () => Promise<T>,
  deps: readonly unknown[],
): AsyncState<T> & {
  reload: () => Promise<void>;
} {
  const [state, setState] = useState<AsyncState<T>>({ status: 'loading' });
  const run = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const reload = useCallback(async () => {
    const id = ++run.current;
    setState((previous) => ({ status: 'loading', data: previous.data }));
    try {
      const data = await loadRef.current();
      if (id === run.current) setState({ status: 'ready', data });
    } catch (error) {
      if (id === run.current)
        setState((previous) => ({ status: 'failed', problem: asProblem(error), data: previous.data }));
    }
  }, []);
  useEffect(() => {
    void reload();
  }, deps);
  return { ...state, reload };
}

/**
 * A submit or action: `busy` while it runs, `problem` when it failed (for field errors next to
 * inputs), and the result returned to the caller.
 */
export function useAction<A extends unknown[], T>(action: (...args: A) => Promise<T>) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const run = useCallback(
    async (...args: A): Promise<T | undefined> => {
      setBusy(true);
      setProblem(undefined);
      try {
        return await action(...args);
      } catch (error) {
        setProblem(asProblem(error));
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [action],
  );
  return { run, busy, problem, setProblem };
}
