import { api, ok, type paths } from '../../api/client.ts';
import { formatDate, formatMoney, formatNumber, formatPercent } from '../../i18n/format.ts';
import { t } from '../../i18n/index.ts';
import { useAsync } from '../../ui/async.ts';
import { ProblemBanner, Spinner } from '../../ui/feedback.tsx';
import { type Amounts, formatAmounts, mainCurrency } from './money.ts';
import type { DayRange } from './period.ts';

type KpiAnswer = paths['/reports/kpis']['get']['responses'][200]['content']['application/json'];
type Figures = KpiAnswer['figures'];
type Kind = 'money' | 'count' | 'rate' | 'days' | 'score';

/** The KPIs in the order a sales manager reads them, each with how to show it. */
const KPIS: readonly (readonly [keyof Figures, Kind])[] = [
  ['wonAmount', 'money'],
  ['wonDeals', 'count'],
  ['openPipeline', 'money'],
  ['weightedPipeline', 'money'],
  ['winRate', 'rate'],
  ['avgDealSize', 'money'],
  ['salesCycleDays', 'days'],
  ['newLeads', 'count'],
  ['leadConversionRate', 'rate'],
  ['openCases', 'count'],
  ['slaBreachRate', 'rate'],
  ['csatAverage', 'score'],
  ['campaignOpenRate', 'rate'],
  ['campaignClickRate', 'rate'],
];

type Value = number | Amounts | null;

function show(value: Value, kind: Kind): string {
  if (value === null) return t('common.none');
  if (typeof value === 'object') return formatAmounts(value);
  if (kind === 'rate') return formatPercent(value);
  if (kind === 'score' || kind === 'days') return formatNumber(value, 1);
  return formatNumber(value);
}

/** "Up 12% from 10": rates change in percentage points, money in its main currency. */
function change(value: Value, previous: Value, kind: Kind): string {
  if (previous === null || value === null) return t('dashboard.change.none');
  let now: number;
  let then: number;
  let format = (figure: number) => show(figure, kind);
  if (typeof value === 'object' || typeof previous === 'object') {
    // Money changes are told in the main currency: sums of different currencies mean nothing.
    const currency = mainCurrency([value as Amounts, previous as Amounts]);
    if (!currency) return t('dashboard.change.same');
    now = (value as Amounts)[currency] ?? 0;
    then = (previous as Amounts)[currency] ?? 0;
    format = (figure) => formatMoney(figure, currency);
  } else {
    now = value;
    then = previous;
  }
  if (now === then) return t('dashboard.change.same');
  const key = now > then ? 'dashboard.change.up' : 'dashboard.change.down';
  const amount =
    kind === 'rate'
      ? t('dashboard.points', { value: formatNumber(Math.abs(now - then) * 100, 1) })
      : then === 0
        ? format(Math.abs(now - then))
        : formatPercent(Math.abs(now - then) / Math.abs(then), 0);
  return t(key, { change: amount, previous: format(then) });
}

/** Money in more than one currency: written smaller, so it keeps to the tile's one line. */
const several = (value: Value | undefined) =>
  typeof value === 'object' && value !== null && Object.keys(value).length > 1;

export function Kpis({ range }: { readonly range: DayRange }) {
  const state = useAsync(
    () => ok(api().GET('/reports/kpis', { params: { query: { from: range.from, to: range.to } } })),
    [range.from, range.to],
  );
  const data = state.data;
  const loading = !data && state.status === 'loading';
  // While loading, the tiles are drawn at their final size with their names (known before the
  // answer) and a bar for each figure, so nothing below moves when the figures arrive.
  return (
    <section class="kpis" aria-labelledby="kpis-heading" aria-busy={loading}>
      <div class="kpis-head">
        <h2 id="kpis-heading">{t('dashboard.kpis')}</h2>
        {loading && <Spinner />}
      </div>
      {state.status === 'failed' && <ProblemBanner problem={state.problem} onRetry={state.reload} />}
      {(data || loading) && (
        <>
          <p class="muted kpi-period">
            {data &&
              t('dashboard.periodRange', {
                from: formatDate(data.from),
                to: formatDate(data.to),
                prevFrom: formatDate(data.previousPeriod.from),
                prevTo: formatDate(data.previousPeriod.to),
              })}
          </p>
          <dl class="kpi-grid">
            {KPIS.map(([key, kind]) => {
              const figure = data?.figures[key];
              return (
                <div class="kpi" key={key} data-kpi={key}>
                  <dt>{t(`dashboard.kpi.${key}`)}</dt>
                  <dd class={several(figure?.value) ? 'kpi-value kpi-value-several' : 'kpi-value'}>
                    {figure ? show(figure.value, kind) : <span class="kpi-skeleton" aria-hidden="true" />}
                  </dd>
                  <dd class="kpi-change muted">{figure && change(figure.value, figure.previous, kind)}</dd>
                </div>
              );
            })}
          </dl>
        </>
      )}
    </section>
  );
}
