import type { ColumnVisibilityState, SortingState } from '../../ui/data-table.tsx';

/**
 * What a list shows, kept in the URL's query so reload, back and a shared link show the same list:
 * `q`, the filters the list route offers, `sort=field:asc`, `cols=a,b` (the visible columns) and
 * `view` (the saved view applied).
 */
export interface ListState {
  readonly q: string;
  readonly filter: Readonly<Record<string, string>>;
  readonly sort?: { readonly field: string; readonly direction: 'asc' | 'desc' };
  readonly columns?: readonly string[];
  readonly view?: string;
}

const reserved = new Set(['q', 'sort', 'cols', 'view', 'limit']);

export function readListState(
  query: Readonly<Record<string, string>>,
  filterKeys: readonly string[],
): ListState {
  const filter: Record<string, string> = {};
  for (const key of filterKeys) if (query[key]) filter[key] = query[key];
  const [field, direction] = (query.sort ?? '').split(':');
  return {
    q: query.q ?? '',
    filter,
    ...(field ? { sort: { field, direction: direction === 'desc' ? 'desc' : 'asc' } } : {}),
    ...(query.cols ? { columns: query.cols.split(',').filter(Boolean) } : {}),
    ...(query.view ? { view: query.view } : {}),
  };
}

/** The query for `state`; `limit` (a page size other than the default) is kept when given. */
export function listStateQuery(state: ListState, limit?: string): string {
  const params = new URLSearchParams();
  if (state.q) params.set('q', state.q);
  for (const [key, value] of Object.entries(state.filter))
    if (value && !reserved.has(key)) params.set(key, value);
  if (state.sort) params.set('sort', `${state.sort.field}:${state.sort.direction}`);
  if (state.columns) params.set('cols', state.columns.join(','));
  if (state.view) params.set('view', state.view);
  if (limit) params.set('limit', limit);
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function sortingOf(state: ListState): SortingState {
  return state.sort ? [{ id: state.sort.field, desc: state.sort.direction === 'desc' }] : [];
}

/** Visibility for the table: the chosen columns when there is a choice, else the defaults. */
export function visibilityOf(
  state: ListState,
  allColumns: readonly string[],
  hiddenByDefault: readonly string[],
): ColumnVisibilityState {
  const visibility: ColumnVisibilityState = {};
  for (const id of allColumns)
    visibility[id] = state.columns ? state.columns.includes(id) : !hiddenByDefault.includes(id);
  return visibility;
}
