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

/** The table's sorting (tanstack's SortingState shape). */
export function sortingOf(state: ListState): { id: string; desc: boolean }[] {
  return state.sort ? [{ id: state.sort.field, desc: state.sort.direction === 'desc' }] : [];
}

/** Visibility for the table: the chosen columns when there is a choice, else the defaults. */
export function visibilityOf(
  state: ListState,
  allColumns: readonly string[],
  hiddenByDefault: readonly string[],
): Record<string, boolean> {
  const visibility: Record<string, boolean> = {};
  for (const id of allColumns)
    visibility[id] = state.columns ? state.columns.includes(id) : !hiddenByDefault.includes(id);
  return visibility;
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
