import {
  type ColumnDef,
  type ColumnVisibilityState,
  columnVisibilityFeature,
  constructTable,
  createSortedRowModel,
  functionalUpdate,
  type RowData,
  rowSortingFeature,
  type SortingState,
  sortFn_alphanumeric,
  sortFn_text,
  tableFeatures,
} from '@tanstack/table-core';
import { storeReactivityBindings } from '@tanstack/table-core/store-reactivity-bindings';
import type { ComponentChildren } from 'preact';
import { useMemo } from 'preact/hooks';
import { addMessages, t } from '../i18n/index.ts';
import './data-table.css';

addMessages({
  en: {
    'dataTable.sortBy': 'Sort by {column}',
    'dataTable.open': 'Open',
    'dataTable.columns': 'Columns',
    'dataTable.columnsLegend': 'Columns to show',
  },
  es: {
    'dataTable.sortBy': 'Ordenar por {column}',
    'dataTable.open': 'Abrir',
    'dataTable.columns': 'Columnas',
    'dataTable.columnsLegend': 'Columnas que se muestran',
  },
});

/**
 * A headless table (@tanstack/table-core 9) rendered as plain, accessible HTML: a <table> named by
 * its caption, column headers with scope and aria-sort whose buttons sort (click, Enter or Space),
 * and a link to each row's own page in the first visible column. Sorting and column visibility are
 * owned by the caller (usually kept in the URL), so the table is rebuilt from them on each change.
 */
export type { ColumnVisibilityState, SortingState };

export interface DataColumn<T> {
  readonly id: string;
  readonly header: string;
  /** The value sorted on (a number, a date string, a text). */
  readonly value: (row: T) => string | number | boolean | undefined | null;
  /** What the cell shows; the value as text when absent. */
  readonly cell?: (row: T) => ComponentChildren;
  readonly numeric?: boolean;
  readonly sortable?: boolean;
  /** May the user hide it (the column that links to the record may not). */
  readonly hideable?: boolean;
}

const features = tableFeatures({
  coreReactivityFeature: storeReactivityBindings(),
  rowSortingFeature,
  columnVisibilityFeature,
  sortedRowModel: createSortedRowModel(),
  sortFns: { alphanumeric: sortFn_alphanumeric, text: sortFn_text },
});

type Features = typeof features;

function toColumnDefs<T extends RowData>(
  columns: readonly DataColumn<T>[],
): ColumnDef<Features, T, unknown>[] {
  return columns.map((column) => ({
    id: column.id,
    header: column.header,
    accessorFn: (row: T) => column.value(row) ?? undefined,
    enableSorting: column.sortable !== false,
    enableHiding: column.hideable !== false,
    sortUndefined: 'last',
    ...(column.numeric ? {} : { sortFn: 'text' as const }),
  }));
}

export function DataTable<T extends RowData & { readonly id: string }>({
  label,
  columns,
  rows,
  sorting,
  onSortingChange,
  visibility,
  rowHref,
}: {
  /** The table's accessible name, also shown as its caption for screen readers. */
  readonly label: string;
  readonly columns: readonly DataColumn<T>[];
  readonly rows: readonly T[];
  readonly sorting: SortingState;
  readonly onSortingChange: (sorting: SortingState) => void;
  readonly visibility: ColumnVisibilityState;
  readonly rowHref?: (row: T) => string;
}) {
  const defs = useMemo(() => toColumnDefs(columns), [columns]);
  const byId = useMemo(() => new Map(columns.map((column) => [column.id, column])), [columns]);
  const table = useMemo(
    () =>
      constructTable({
        features,
        columns: defs,
        data: rows as T[],
        getRowId: (row: T) => row.id,
        initialState: { sorting, columnVisibility: visibility },
        enableMultiSort: false,
        onSortingChange: (updater) => onSortingChange(functionalUpdate(updater, sorting)),
      }),
    [defs, rows, sorting, visibility, onSortingChange],
  );
  const headers = table.getHeaderGroups()[0]?.headers ?? [];
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">{label}</caption>
        <thead>
          <tr>
            {headers.map((header) => {
              const column = header.column;
              const own = byId.get(column.id);
              const sorted = column.getIsSorted();
              const ariaSort = sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined;
              return (
                <th
                  key={header.id}
                  scope="col"
                  class={own?.numeric ? 'number' : undefined}
                  aria-sort={ariaSort}
                >
                  {column.getCanSort() ? (
                    <button
                      type="button"
                      class="sort-button"
                      onClick={() => column.toggleSorting(sorted === 'asc', false)}
                      title={t('dataTable.sortBy', { column: own?.header ?? column.id })}
                    >
                      {own?.header ?? column.id}
                      <span aria-hidden="true" class="sort-mark">
                        {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : '↕'}
                      </span>
                    </button>
                  ) : (
                    (own?.header ?? column.id)
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id}>
              {row.getVisibleCells().map((cell, index) => {
                const own = byId.get(cell.column.id);
                const content = own?.cell ? own.cell(row.original) : String(cell.getValue() ?? '');
                const href = index === 0 && rowHref ? rowHref(row.original) : undefined;
                return index === 0 ? (
                  <th key={cell.id} scope="row" class={own?.numeric ? 'number row-head' : 'row-head'}>
                    {href ? <a href={href}>{content === '' ? t('dataTable.open') : content}</a> : content}
                  </th>
                ) : (
                  <td key={cell.id} class={own?.numeric ? 'number' : undefined}>
                    {content}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The "Columns" menu: a checkbox per column the user may hide. `visibility` follows tanstack's
 * rule (only an explicit false hides a column).
 */
export function ColumnsMenu<T>({
  columns,
  visibility,
  onChange,
}: {
  readonly columns: readonly DataColumn<T>[];
  readonly visibility: ColumnVisibilityState;
  readonly onChange: (visibility: ColumnVisibilityState) => void;
}) {
  return (
    <details class="menu">
      <summary class="button">{t('dataTable.columns')}</summary>
      <fieldset class="menu-panel">
        <legend class="visually-hidden">{t('dataTable.columnsLegend')}</legend>
        {columns
          .filter((column) => column.hideable !== false)
          .map((column) => (
            <label key={column.id} class="check">
              <input
                type="checkbox"
                checked={visibility[column.id] !== false}
                onChange={(event) =>
                  onChange({ ...visibility, [column.id]: (event.target as HTMLInputElement).checked })
                }
              />
              {column.header}
            </label>
          ))}
      </fieldset>
    </details>
  );
}
