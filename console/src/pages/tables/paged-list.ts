import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { asProblem } from '../../api/client.ts';
import type { ApiProblem } from '../../api/problem.ts';

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** Appends a page to the rows shown, keeping the first copy of any id (so none repeats). */
export function appendUnique<T extends { readonly id: string }>(rows: readonly T[], more: readonly T[]): T[] {
  const seen = new Set(rows.map((row) => row.id));
  const next = [...rows];
  for (const row of more) {
    if (seen.has(row.id)) continue;
    seen.add(row.id);
    next.push(row);
  }
  return next;
}

/**
 * A cursor-paged list: the first page whenever `key` (the query) changes, then "Load more" appends
 * the page after `nextCursor`. Answers for an older query are dropped, so a quick change of filter
 * never mixes two lists.
 */
export function usePagedList<T extends { readonly id: string }>(
  key: string,
  load: (cursor: string | undefined) => Promise<Page<T>>,
) {
  const [rows, setRows] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [status, setStatus] = useState<'loading' | 'ready' | 'more' | 'failed'>('loading');
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const first = useCallback(async () => {
    const id = ++generation.current;
    setStatus('loading');
    setProblem(undefined);
    try {
      const page = await loadRef.current(undefined);
      if (id !== generation.current) return;
      setRows(appendUnique([], page.items));
      setCursor(page.nextCursor);
      setStatus('ready');
    } catch (error) {
      if (id !== generation.current) return;
      setRows([]);
      setCursor(null);
      setProblem(asProblem(error));
      setStatus('failed');
    }
  }, []);

  useEffect(() => {
    void first();
  }, [key]);

  const more = useCallback(async () => {
    if (!cursor) return;
    const id = generation.current;
    setStatus('more');
    setProblem(undefined);
    try {
      const page = await loadRef.current(cursor);
      if (id !== generation.current) return;
      setRows((shown) => appendUnique(shown, page.items));
      setCursor(page.nextCursor);
      setStatus('ready');
    } catch (error) {
      if (id !== generation.current) return;
      setProblem(asProblem(error));
      setStatus('ready');
    }
  }, [cursor]);

  return { rows, hasMore: cursor !== null, status, problem, more, reload: first };
}
