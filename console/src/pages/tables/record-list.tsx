import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, ok } from '../../api/client.ts';
import { BASE } from '../../config.ts';
import { formatDate, formatNumber } from '../../i18n/format.ts';
import { t, useLang } from '../../i18n/index.ts';
import { useAsync } from '../../ui/async.ts';
import {
  ColumnsMenu,
  type ColumnVisibilityState,
  type DataColumn,
  DataTable,
  type SortingState,
} from '../../ui/data-table.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { EmptyState, Loading, ProblemBanner, Spinner } from '../../ui/feedback.tsx';
import { PageHeader } from '../../ui/page.tsx';
import type { EntityConfig, FieldDefinition, ListContext, ListRow } from './entity.ts';
import { type ListState, listStateQuery, readListState, sortingOf, visibilityOf } from './list-state.ts';
import { usePagedList } from './paged-list.ts';
import { ViewPicker } from './views.tsx';
import './tables.css';

/** How many rows a page asks for; `?limit=` in the page's URL overrides it (tests page with 5). */
const PAGE_SIZE = 50;

/** Loads what every list looks up once: users (owner names) and pipelines (deal stages). */
async function loadContext(): Promise<ListContext> {
  const [users, pipelines] = await Promise.all([
    ok(api().GET('/users', { params: { query: { limit: '100' } } })).catch(() => ({ items: [] })),
    ok(api().GET('/pipelines', { params: { query: { limit: '100' } } })).catch(() => ({ items: [] })),
  ]);
  return { users: users.items, pipelines: pipelines.items };
}

async function loadFields(entity: string): Promise<readonly FieldDefinition[]> {
  try {
    const answer = await ok(api().GET('/settings/fields/{entity}', { params: { path: { entity } } }));
    return answer.fields;
  } catch {
    return [];
  }
}

function customFieldColumn<T extends ListRow>(field: FieldDefinition): DataColumn<T> {
  const raw = (row: T) => row.customFields?.[field.key];
  return {
    id: `customFields.${field.key}`,
    header: field.label,
    numeric: field.type === 'number',
    value: (row) => {
      const value = raw(row);
      return Array.isArray(value) ? value.join(', ') : value;
    },
    cell: (row) => {
      const value = raw(row);
      if (value === undefined || value === null) return '';
      if (Array.isArray(value)) return value.join(', ');
      if (typeof value === 'boolean') return value ? t('common.yes') : t('common.no');
      if (field.type === 'number' && typeof value === 'number') return formatNumber(value, 2);
      if (field.type === 'date' && typeof value === 'string') return formatDate(value);
      return String(value);
    },
  };
}

/**
 * A record list page: search, the route's filters, saved views, sorting and column choice, cursor
 * paging with "Load more", and the "New …" form. Everything that defines the list is in the URL.
 */
export function RecordList<T extends ListRow>({ config }: { readonly config: EntityConfig<T> }) {
  const lang = useLang();
  const location = useLocation();
  const filterKeys = useMemo(() => config.filters.map((filter) => filter.key), [config]);
  const state = readListState(location.query, filterKeys);
  const path = `${BASE}/${config.entity}`;
  const pageSize = location.query.limit ?? String(PAGE_SIZE);
  const navigate = useCallback(
    (next: ListState, replace = false) =>
      location.route(`${path}${listStateQuery(next, location.query.limit)}`, replace),
    [location, path],
  );

  const context = useAsync(loadContext, []);
  const fields = useAsync(() => loadFields(config.entity), [config.entity]);
  const listContext: ListContext = context.data ?? { users: [], pipelines: [] };

  const columns = useMemo(
    () => [
      ...config.columns(listContext),
      ...(fields.data ?? []).map((field) => customFieldColumn<T>(field)),
    ],
    [config, context.data, fields.data, lang],
  );
  const hiddenByDefault = useMemo(
    () => [...config.hiddenByDefault, ...(fields.data ?? []).map((field) => `customFields.${field.key}`)],
    [config, fields.data],
  );
  const visibility = useMemo(() => {
    const chosen = visibilityOf(
      state,
      columns.map((column) => column.id),
      hiddenByDefault,
    );
    for (const column of columns) if (column.hideable === false) chosen[column.id] = true;
    return chosen;
  }, [location.query.cols, columns, hiddenByDefault]);
  const sorting = useMemo(() => sortingOf(state), [location.query.sort]);

  // The list reloads from its first page whenever the search or a filter changes.
  const queryKey = JSON.stringify([state.q, state.filter, pageSize]);
  const list = usePagedList<T>(queryKey, (cursor) =>
    config.list({
      ...state.filter,
      ...(state.q ? { q: state.q } : {}),
      limit: pageSize,
      ...(cursor ? { cursor } : {}),
    }),
  );

  const [search, setSearch] = useState(state.q);
  // Back, a view or "Clear filters" changes the URL's search: the box follows (keeping spaces typed).
  // Only a change does: on mount the box already holds the URL's search, and words typed before the
  // first effects ran (a fast typist, a slow machine) must not be wiped.
  const shownQ = useRef(state.q);
  useEffect(() => {
    if (shownQ.current === state.q) return;
    shownQ.current = state.q;
    setSearch((typed) => (typed.trim() === state.q ? typed : state.q));
  }, [state.q]);
  // Typing searches after a pause; the URL is replaced (not pushed) so back skips keystrokes.
  useEffect(() => {
    if (search.trim() === state.q) return;
    const timer = setTimeout(() => navigate({ ...state, q: search.trim() }, true), 350);
    return () => clearTimeout(timer);
  }, [search]);

  const setFilter = (key: string, value: string) => {
    const filter = { ...state.filter };
    if (value) filter[key] = value;
    else delete filter[key];
    if (key === 'pipelineId') delete filter.stageId;
    navigate({ ...state, filter });
  };
  const onSortingChange = useCallback(
    (next: SortingState) => {
      const first = next[0];
      navigate(
        { ...state, sort: first ? { field: first.id, direction: first.desc ? 'desc' : 'asc' } : undefined },
        true,
      );
    },
    [location.url],
  );
  const onVisibilityChange = (next: ColumnVisibilityState) =>
    navigate(
      { ...state, columns: columns.filter((column) => next[column.id] !== false).map((column) => column.id) },
      true,
    );

  const [creating, setCreating] = useState(false);
  const filtered = state.q !== '' || Object.keys(state.filter).length > 0;
  const title = t(config.keys.title);

  return (
    <section>
      <PageHeader title={title}>
        <button type="button" class="button button-primary" onClick={() => setCreating(true)}>
          {t(config.keys.create)}
        </button>
      </PageHeader>

      <ViewPicker
        entity={config.entity}
        state={state}
        visibleColumns={columns
          .filter((column) => visibility[column.id] !== false)
          .map((column) => column.id)}
        onApply={(next) => navigate(next)}
      />

      <div class="list-toolbar">
        <form
          class="toolbar list-filters"
          aria-label={t('tables.filters', { list: title })}
          onSubmit={(event) => {
            event.preventDefault();
            navigate({ ...state, q: search.trim() });
          }}
        >
          <label class="filter">
            <span>{t('common.search')}</span>
            <input
              type="search"
              value={search}
              onInput={(event) => setSearch((event.target as HTMLInputElement).value)}
            />
          </label>
          {config.filters.map((filter) => {
            const options = filter.options?.(listContext, state.filter);
            const value = state.filter[filter.key] ?? '';
            return (
              <FilterControl
                key={filter.key}
                label={filter.label()}
                value={value}
                options={options}
                onChange={(next) => setFilter(filter.key, next)}
              />
            );
          })}
          {filtered && (
            <button type="button" class="button button-quiet" onClick={() => navigate({ q: '', filter: {} })}>
              {t('tables.clear')}
            </button>
          )}
        </form>
        <div class="toolbar-end">
          <ColumnsMenu columns={columns} visibility={visibility} onChange={onVisibilityChange} />
        </div>
      </div>

      <ProblemBanner problem={list.problem} onRetry={() => void list.reload()} />
      {list.status === 'loading' ? (
        <Loading />
      ) : list.rows.length === 0 && list.status !== 'failed' ? (
        filtered ? (
          <EmptyState title={t('tables.noMatch')}>
            <button type="button" class="button" onClick={() => navigate({ q: '', filter: {} })}>
              {t('tables.clear')}
            </button>
          </EmptyState>
        ) : (
          <EmptyState title={t(config.keys.empty)}>
            <div class="actions empty-actions">
              <button type="button" class="button button-primary" onClick={() => setCreating(true)}>
                {t(config.keys.create)}
              </button>
              <a class="button" href={`${BASE}/imports`}>
                {t('tables.import')}
              </a>
            </div>
          </EmptyState>
        )
      ) : (
        list.rows.length > 0 && (
          <>
            <p class="muted list-note" id={`${config.entity}-note`}>
              {t(list.hasMore ? 'tables.countMore' : 'tables.count', {
                count: formatNumber(list.rows.length),
              })}{' '}
              {state.sort && t('tables.sortNote')}
            </p>
            <DataTable
              label={title}
              columns={columns}
              rows={list.rows}
              sorting={sorting}
              onSortingChange={onSortingChange}
              visibility={visibility}
              rowHref={(row) => `${path}/${row.id}`}
            />
            {list.hasMore && (
              <div class="actions">
                <button
                  type="button"
                  class="button"
                  onClick={() => void list.more()}
                  disabled={list.status === 'more'}
                >
                  {t('common.more')}
                </button>
                {list.status === 'more' && <Spinner />}
              </div>
            )}
          </>
        )
      )}

      <Dialog open={creating} title={t(config.keys.create)} onClose={() => setCreating(false)}>
        <config.CreateForm
          context={listContext}
          onCreated={(id) => {
            setCreating(false);
            location.route(`${path}/${id}`);
          }}
        />
      </Dialog>
    </section>
  );
}

/** One filter of the list route: a select of its choices, or a text input applied on change. */
function FilterControl({
  label,
  value,
  options,
  onChange,
}: {
  readonly label: string;
  readonly value: string;
  readonly options: readonly { value: string; label: string }[] | undefined;
  readonly onChange: (value: string) => void;
}) {
  const id = useId();
  return (
    <div class="filter">
      <label for={id}>{label}</label>
      {options ? (
        <select
          id={id}
          value={value}
          onChange={(event) => onChange((event.target as HTMLSelectElement).value)}
        >
          <option value="">{t('tables.any')}</option>
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={id}
          type="text"
          value={value}
          onChange={(event) => onChange((event.target as HTMLInputElement).value.trim())}
        />
      )}
    </div>
  );
}
