import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type uPlot from 'uplot';
import { addMessages, t } from '../i18n/index.ts';
import { axisLabels, axisWidth } from './chart-axes.ts';
import { EmptyState, Spinner } from './feedback.tsx';
import './chart.css';

/**
 * A small chart (uPlot, loaded on first use with its stylesheet so no page pays for it up front)
 * with a "Show as table" toggle to a real <table> and a text summary for screen readers. The x
 * axis is categorical (months, stages, campaigns): one bar group or line point per label.
 */
export interface ChartSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
}

export interface ChartTable {
  readonly head: readonly string[];
  /** Cells as shown; the first is the row's label, the rest are right-aligned figures. */
  readonly rows: readonly (readonly string[])[];
}

addMessages({
  en: { 'chart.showTable': 'Show as table', 'chart.empty': 'Nothing to show yet.' },
  es: { 'chart.showTable': 'Ver como tabla', 'chart.empty': 'Aún no hay nada que mostrar.' },
});

/** Series colours: 3:1 or more against white (WCAG 1.4.11 for graphics). */
const COLOURS = ['#0b5cad', '#a14a00', '#1d6b35'];
const AXIS = '#4e5661';
const GRID = '#e1e5ea';

let library: Promise<typeof uPlot> | undefined;
/** Starts loading uPlot (a page with charts calls it as it opens, beside its data requests). */
export function loadUplot(): Promise<typeof uPlot> {
  library ??= Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(
    ([module]) => module.default,
  );
  return library;
}

export function Chart({
  title,
  labels,
  series,
  kind = 'bars',
  formatValue,
  summary,
  table,
  empty,
  children,
}: {
  readonly title: string;
  readonly labels: readonly string[];
  readonly series: readonly ChartSeries[];
  readonly kind?: 'bars' | 'line';
  /** The value axis's and the legend's numbers (money, percent). */
  readonly formatValue: (value: number) => string;
  /** One or two sentences saying what the chart shows, read instead of the picture. */
  readonly summary: string;
  readonly table: ChartTable;
  /** Said instead of the chart when there is nothing to show. */
  readonly empty?: string;
  /** Notes under the chart (e.g. what it leaves out). */
  readonly children?: ComponentChildren;
}) {
  const [asTable, setAsTable] = useState(false);
  const headingId = useId();
  const hasData = labels.length > 0 && series.some((one) => one.values.some((value) => value));
  return (
    <section class="card chart" aria-labelledby={headingId}>
      <div class="chart-head">
        <h2 id={headingId}>{title}</h2>
        {hasData && (
          <button
            type="button"
            class="button button-quiet"
            aria-pressed={asTable}
            onClick={() => setAsTable(!asTable)}
          >
            {t('chart.showTable')}
          </button>
        )}
      </div>
      <div class={bodyClass(series.length > 1)}>
        {!hasData ? (
          <EmptyState title={empty ?? t('chart.empty')} />
        ) : (
          <>
            <p class="visually-hidden">{summary}</p>
            {asTable ? (
              <DataTable caption={title} table={table} />
            ) : (
              <Plot labels={labels} series={series} kind={kind} formatValue={formatValue} />
            )}
          </>
        )}
      </div>
      {children}
    </section>
  );
}

/** The plot's box has its final height from the start (with the legend's line when there are several series). */
const bodyClass = (legend: boolean) => `chart-body${legend ? ' chart-body-legend' : ''}`;

/**
 * A chart's card while its data loads (or failed to): the same head and a body of the chart's
 * height, so the page keeps its layout when the chart arrives. `legend`: the chart will have
 * several series.
 */
export function ChartFrame({
  title,
  legend = false,
  children,
}: {
  readonly title: string;
  readonly legend?: boolean;
  readonly children: ComponentChildren;
}) {
  const headingId = useId();
  return (
    <section class="card chart" aria-labelledby={headingId}>
      <div class="chart-head">
        <h2 id={headingId}>{title}</h2>
      </div>
      <div class={bodyClass(legend)}>{children}</div>
    </section>
  );
}

function DataTable({ caption, table }: { readonly caption: string; readonly table: ChartTable }) {
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {table.head.map((cell, index) => (
              <th key={cell} scope="col" class={index > 0 ? 'number' : undefined}>
                {cell}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row) => (
            <tr key={row[0]}>
              {row.map((cell, index) =>
                index === 0 ? (
                  <th key={index} scope="row">
                    {cell}
                  </th>
                ) : (
                  <td key={index} class="number">
                    {cell}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const HEIGHT = 220;

/**
 * True once the element is within a screen of the viewport: a plot below the fold is drawn when
 * it is scrolled near, not while the page loads (its box already has the plot's size).
 */
function useNearViewport(ref: { readonly current: Element | null }): boolean {
  const [near, setNear] = useState(typeof IntersectionObserver === 'undefined');
  useEffect(() => {
    const element = ref.current;
    if (near || !element) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) {
          setNear(true);
          observer.disconnect();
        }
      },
      { rootMargin: '100% 0px' },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [near, ref]);
  return near;
}

function Plot({
  labels,
  series,
  kind,
  formatValue,
}: {
  readonly labels: readonly string[];
  readonly series: readonly ChartSeries[];
  readonly kind: 'bars' | 'line';
  readonly formatValue: (value: number) => string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [ready, setReady] = useState(false);
  const near = useNearViewport(ref);
  useEffect(() => {
    const element = ref.current;
    if (!element || !near) return;
    let plot: uPlot | undefined;
    let observer: ResizeObserver | undefined;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Each plot is drawn in a task of its own, so charts arriving together do not block input as one.
    const draw = (UPlot: typeof uPlot) => {
      if (cancelled) return;
      const count = series.length;
      const width = Math.max(element.clientWidth, 200);
      const bars = UPlot.paths.bars;
      const options: uPlot.Options = {
        width,
        height: HEIGHT,
        // Not live: the cursor is off, so a live legend would only show "Value: --" rows.
        legend: { show: count > 1, live: false },
        cursor: { show: false },
        scales: {
          x: { time: false, range: [-0.5, labels.length - 0.5] },
          // Bars start at zero; a top margin keeps the tallest one off the edge.
          y: { range: (_, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] },
        },
        axes: [
          {
            stroke: AXIS,
            grid: { show: false },
            ticks: { show: false },
            splits: () => labels.map((_, index) => index),
            // Long names are cut to their share of the width; the table has them whole.
            values: (plot, splits) => {
              const shown = axisLabels(labels, plot.bbox.width / devicePixelRatio);
              return splits.map((index) => shown[index] ?? '');
            },
          },
          {
            stroke: AXIS,
            grid: { stroke: GRID },
            // As wide as the longest figure, so "100.000 €" is not cut at the card's edge.
            size: (_, values) => axisWidth(values),
            values: (_, splits) => splits.map(formatValue),
          },
        ],
        series: [
          {},
          ...series.map((one, index) => {
            const colour = COLOURS[index % COLOURS.length] ?? AXIS;
            // Side by side: each series gets its share of the group's width.
            const align = count === 1 ? 0 : index === 0 ? -1 : 1;
            return {
              label: one.label,
              stroke: colour,
              width: kind === 'line' ? 2 : 0,
              value: (_: uPlot, value: number | null) => (value === null ? '' : formatValue(value)),
              ...(kind === 'bars' && bars
                ? {
                    fill: colour,
                    points: { show: false },
                    paths: bars({ size: [count === 1 ? 0.6 : 0.35, 64], align }),
                  }
                : { points: { show: true, size: 6, fill: colour } }),
            };
          }),
        ],
      };
      const data: uPlot.AlignedData = [
        labels.map((_, index) => index),
        ...series.map((one) => one.values.map((value) => value)),
      ];
      plot = new UPlot(options, data, element);
      setReady(true);
      observer = new ResizeObserver(() =>
        plot?.setSize({ width: Math.max(element.clientWidth, 200), height: HEIGHT }),
      );
      observer.observe(element);
    };
    void loadUplot().then((UPlot) => {
      timer = setTimeout(() => draw(UPlot));
    });
    return () => {
      cancelled = true;
      clearTimeout(timer);
      observer?.disconnect();
      plot?.destroy();
    };
  }, [labels, series, kind, formatValue, near]);
  return (
    <div class="chart-plot">
      {!ready && (
        <span class="chart-spinner">
          <Spinner />
        </span>
      )}
      {/* The picture repeats the summary and the table, so screen readers skip it. */}
      <div ref={ref} aria-hidden="true" />
    </div>
  );
}
