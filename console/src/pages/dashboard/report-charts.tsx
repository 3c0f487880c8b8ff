import { useMemo } from 'preact/hooks';
import { api, ok } from '../../api/client.ts';
import { formatMoney, formatNumber, formatPercent } from '../../i18n/format.ts';
import { t, useLang } from '../../i18n/index.ts';
import { type AsyncState, useAsync } from '../../ui/async.ts';
import { Chart, ChartFrame, type ChartSeries, type ChartTable } from '../../ui/chart.tsx';
import { Loading, ProblemBanner } from '../../ui/feedback.tsx';
import { addAmounts, currenciesOf, formatAmounts, formatMonth, mainCurrency } from './money.ts';
import { type DayRange, everyMonth } from './period.ts';

/** What each report chart hands to <Chart>, computed once per answer and language. */
interface ChartModel {
  readonly labels: readonly string[];
  readonly series: readonly ChartSeries[];
  readonly table: ChartTable;
  readonly summary: string;
  readonly formatValue: (value: number) => string;
  readonly note?: string;
}

const FORECAST_MONTHS = 6;

function ReportCard<T>({
  title,
  state,
  model,
  empty,
  legend = false,
}: {
  readonly title: string;
  readonly state: AsyncState<T> & { reload: () => Promise<void> };
  readonly model: ChartModel | undefined;
  readonly empty: string;
  /** The chart has several series (a legend): its loading card is that tall too. */
  readonly legend?: boolean;
}) {
  if (!model)
    return (
      <ChartFrame title={title} legend={legend}>
        {state.status === 'failed' ? (
          <ProblemBanner problem={state.problem} onRetry={state.reload} />
        ) : (
          <Loading />
        )}
      </ChartFrame>
    );
  return (
    <Chart
      title={title}
      labels={model.labels}
      series={model.series}
      table={model.table}
      summary={model.summary}
      formatValue={model.formatValue}
      empty={empty}
    >
      {model.note && <p class="muted chart-note">{model.note}</p>}
    </Chart>
  );
}

/** Money in one currency on the axis; a count when the report has no money at all. */
const moneyFormat = (currency: string | undefined) =>
  currency ? (value: number) => formatMoney(value, currency) : (value: number) => formatNumber(value);

export function SalesChart({ range }: { readonly range: DayRange }) {
  const lang = useLang();
  const state = useAsync(
    () =>
      ok(
        api().GET('/reports/sales', {
          params: { query: { groupBy: 'month', from: range.from, to: range.to } },
        }),
      ),
    [range.from, range.to],
  );
  const model = useMemo((): ChartModel | undefined => {
    if (!state.data) return undefined;
    // Months without a sale are bars of zero, not left out: the axis is the period's calendar.
    const items = everyMonth(state.data.items, range, (key) => ({ key, count: 0, amount: {} }));
    const currency = mainCurrency(items.map((item) => item.amount));
    const currencies = currenciesOf(items.map((item) => item.amount));
    const total: Record<string, number> = {};
    for (const item of items) addAmounts(total, item.amount);
    const best = [...items].sort(
      (a, b) => (b.amount[currency ?? ''] ?? 0) - (a.amount[currency ?? ''] ?? 0),
    )[0];
    return {
      labels: items.map((item) => formatMonth(item.key)),
      series: [
        currency
          ? {
              label: t('dashboard.amountIn', { currency }),
              values: items.map((item) => item.amount[currency] ?? 0),
            }
          : { label: t('dashboard.sales.deals'), values: items.map((item) => item.count) },
      ],
      formatValue: moneyFormat(currency),
      table: {
        head: [
          t('dashboard.sales.month'),
          t('dashboard.sales.deals'),
          ...currencies.map((code) => t('dashboard.amountIn', { currency: code })),
        ],
        rows: items.map((item) => [
          formatMonth(item.key),
          formatNumber(item.count),
          ...currencies.map((code) => formatMoney(item.amount[code] ?? 0, code)),
        ]),
      },
      summary: t('dashboard.sales.summary', {
        count: formatNumber(items.reduce((sum, item) => sum + item.count, 0)),
        months: items.length,
        total: formatAmounts(total),
        best: best ? formatMonth(best.key) : '',
        bestAmount: best ? formatAmounts(best.amount) : '',
      }),
    };
  }, [state.data, lang, range]);
  return (
    <ReportCard
      title={t('dashboard.sales.title')}
      state={state}
      model={model}
      empty={t('dashboard.sales.empty')}
    />
  );
}

export function PipelineChart() {
  const lang = useLang();
  const state = useAsync(() => ok(api().GET('/reports/pipeline')), []);
  const model = useMemo((): ChartModel | undefined => {
    if (!state.data) return undefined;
    const stages = state.data.stages;
    const currency = mainCurrency(stages.map((stage) => stage.amount));
    const largest = [...stages].sort(
      (a, b) => (b.amount[currency ?? ''] ?? 0) - (a.amount[currency ?? ''] ?? 0),
    )[0];
    return {
      labels: stages.map((stage) => stage.name),
      series: [
        currency
          ? {
              label: t('dashboard.amountIn', { currency }),
              values: stages.map((stage) => stage.amount[currency] ?? 0),
            }
          : { label: t('dashboard.count'), values: stages.map((stage) => stage.count) },
      ],
      formatValue: moneyFormat(currency),
      table: {
        head: [
          t('dashboard.pipeline.stage'),
          t('dashboard.count'),
          t('dashboard.amountIn', { currency: currency ?? '—' }).replace(/ \(—\)$/, ''),
          t('dashboard.pipeline.weighted'),
          t('dashboard.pipeline.conversion'),
        ],
        rows: stages.map((stage) => [
          stage.name,
          formatNumber(stage.count),
          formatAmounts(stage.amount),
          formatAmounts(stage.weightedAmount),
          formatPercent(stage.conversionRate),
        ]),
      },
      summary: t('dashboard.pipeline.summary', {
        count: formatNumber(stages.reduce((sum, stage) => sum + stage.count, 0)),
        name: state.data.name,
        stage: largest?.name ?? '',
        amount: largest ? formatAmounts(largest.amount) : '',
      }),
    };
  }, [state.data, lang]);
  return (
    <ReportCard
      title={t('dashboard.pipeline.title')}
      state={state}
      model={model}
      empty={t('dashboard.pipeline.empty')}
    />
  );
}

export function ForecastChart() {
  const lang = useLang();
  const state = useAsync(
    () => ok(api().GET('/reports/forecast', { params: { query: { months: String(FORECAST_MONTHS) } } })),
    [],
  );
  const model = useMemo((): ChartModel | undefined => {
    if (!state.data) return undefined;
    // The report is per month and owner; the chart shows the month's total.
    const months = new Map<
      string,
      { count: number; amount: Record<string, number>; weighted: Record<string, number> }
    >();
    for (const item of state.data.items) {
      const month = months.get(item.month) ?? { count: 0, amount: {}, weighted: {} };
      month.count += item.count;
      addAmounts(month.amount, item.amount);
      addAmounts(month.weighted, item.weightedAmount);
      months.set(item.month, month);
    }
    const rows = [...months].sort(([a], [b]) => a.localeCompare(b));
    const currency = mainCurrency(rows.map(([, month]) => month.weighted));
    const total: Record<string, number> = {};
    for (const [, month] of rows) addAmounts(total, month.weighted);
    const sumCount = (list: readonly { count: number }[]) =>
      list.reduce((sum, entry) => sum + entry.count, 0);
    const undated = sumCount(state.data.undated);
    const overdue = sumCount(state.data.overdue);
    return {
      labels: rows.map(([key]) => formatMonth(key)),
      series: [
        currency
          ? {
              label: t('dashboard.forecast.weighted', { currency }),
              values: rows.map(([, month]) => month.weighted[currency] ?? 0),
            }
          : { label: t('dashboard.count'), values: rows.map(([, month]) => month.count) },
      ],
      formatValue: moneyFormat(currency),
      table: {
        head: [
          t('dashboard.sales.month'),
          t('dashboard.count'),
          t('dashboard.amountIn', { currency: currency ?? '—' }).replace(/ \(—\)$/, ''),
          t('dashboard.pipeline.weighted'),
        ],
        rows: rows.map(([key, month]) => [
          formatMonth(key),
          formatNumber(month.count),
          formatAmounts(month.amount),
          formatAmounts(month.weighted),
        ]),
      },
      summary: t('dashboard.forecast.summary', {
        total: formatAmounts(total),
        months: state.data.months,
        count: formatNumber(sumCount(rows.map(([, month]) => month))),
      }),
      ...(undated + overdue > 0
        ? {
            note: t('dashboard.forecast.apart', {
              undated: formatNumber(undated),
              overdue: formatNumber(overdue),
            }),
          }
        : {}),
    };
  }, [state.data, lang]);
  return (
    <ReportCard
      title={t('dashboard.forecast.title')}
      state={state}
      model={model}
      empty={t('dashboard.forecast.empty')}
    />
  );
}

export function CampaignsChart({ range }: { readonly range: DayRange }) {
  const lang = useLang();
  const state = useAsync(
    () => ok(api().GET('/reports/campaigns', { params: { query: { from: range.from, to: range.to } } })),
    [range.from, range.to],
  );
  const model = useMemo((): ChartModel | undefined => {
    if (!state.data) return undefined;
    const items = state.data.items.filter((item) => item.sent > 0);
    const best = [...items].sort((a, b) => b.openRate - a.openRate)[0];
    return {
      labels: items.map((item) => item.name),
      series: [
        { label: t('dashboard.campaigns.openRate'), values: items.map((item) => item.openRate) },
        { label: t('dashboard.campaigns.clickRate'), values: items.map((item) => item.clickRate) },
      ],
      formatValue: (value) => formatPercent(value, 0),
      table: {
        head: [
          t('dashboard.campaigns.campaign'),
          t('dashboard.campaigns.sent'),
          t('dashboard.campaigns.openRate'),
          t('dashboard.campaigns.clickRate'),
        ],
        rows: items.map((item) => [
          item.name,
          formatNumber(item.sent),
          formatPercent(item.openRate),
          formatPercent(item.clickRate),
        ]),
      },
      summary: t('dashboard.campaigns.summary', {
        count: items.length,
        best: best?.name ?? '',
        rate: best ? formatPercent(best.openRate) : '',
      }),
    };
  }, [state.data, lang]);
  return (
    <ReportCard
      title={t('dashboard.campaigns.title')}
      state={state}
      model={model}
      empty={t('dashboard.campaigns.empty')}
      legend
    />
  );
}

export function CasesChart({ range }: { readonly range: DayRange }) {
  const lang = useLang();
  const state = useAsync(
    () =>
      ok(
        api().GET('/reports/cases', {
          params: { query: { groupBy: 'month', from: range.from, to: range.to } },
        }),
      ),
    [range.from, range.to],
  );
  const model = useMemo((): ChartModel | undefined => {
    if (!state.data) return undefined;
    const items = everyMonth(state.data.items, range, (key) => ({
      key,
      opened: 0,
      resolved: 0,
      slaBreaches: 0,
      slaBreachRate: 0,
      avgResolutionHours: null,
      csatAvg: null,
      csatCount: 0,
    }));
    const sum = (pick: (item: (typeof items)[number]) => number) =>
      items.reduce((total, item) => total + pick(item), 0);
    return {
      labels: items.map((item) => formatMonth(item.key)),
      series: [
        { label: t('dashboard.cases.opened'), values: items.map((item) => item.opened) },
        { label: t('dashboard.cases.resolved'), values: items.map((item) => item.resolved) },
      ],
      formatValue: (value) => formatNumber(value),
      table: {
        head: [
          t('dashboard.cases.month'),
          t('dashboard.cases.opened'),
          t('dashboard.cases.resolved'),
          t('dashboard.cases.breachRate'),
          t('dashboard.cases.csat'),
        ],
        rows: items.map((item) => [
          formatMonth(item.key),
          formatNumber(item.opened),
          formatNumber(item.resolved),
          formatPercent(item.slaBreachRate),
          item.csatAvg === null ? t('common.none') : formatNumber(item.csatAvg, 1),
        ]),
      },
      summary: t('dashboard.cases.summary', {
        opened: formatNumber(sum((item) => item.opened)),
        resolved: formatNumber(sum((item) => item.resolved)),
        breaches: formatNumber(sum((item) => item.slaBreaches)),
      }),
    };
  }, [state.data, lang, range]);
  return (
    <ReportCard
      title={t('dashboard.cases.title')}
      state={state}
      model={model}
      empty={t('dashboard.cases.empty')}
      legend
    />
  );
}
