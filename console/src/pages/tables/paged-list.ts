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
 * Fetches pages from `cursor` until one adds a row not shown yet or the list ends: a filtered
 * list's page can hold no match at all and still have a next cursor. At most 10 pages per call.
 */
async function nextRows<T extends { readonly id: string }>(
  shown: readonly T[],
  cursor: string | undefined,
  load: (cursor: string | undefined) => Promise<Page<T>>,
): Promise<{ rows: T[]; cursor: string | null }> {
  let rows = [...shown];
  let next: string | undefined = cursor;
  for (let round = 0; round < 10; round++) {
    const page = await load(next);
    const before = rows.length;
    rows = appendUnique(rows, page.items);
    if (!page.nextCursor) return { rows, cursor: null };
    next = page.nextCursor;
    if (rows.length > before) break;
  }
  return { rows, cursor: next ?? null };
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
      const page = await nextRows<T>([], undefined, loadRef.current);
      if (id !== generation.current) return;
      setRows(page.rows);
      setCursor(page.cursor);
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
      const page = await nextRows(rows, cursor, loadRef.current);
      if (id !== generation.current) return;
      setRows(page.rows);
      setCursor(page.cursor);
      setStatus('ready');
    } catch (error) {
      if (id !== generation.current) return;
      setProblem(asProblem(error));
      setStatus('ready');
    }
  }, [cursor, rows]);

  return { rows, hasMore: cursor !== null, status, problem, more, reload: first };
}
