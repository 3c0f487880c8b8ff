import { useMemo } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { BASE } from '../../config.ts';
import { addMessages, t, useLang } from '../../i18n/index.ts';
import { useSession } from '../../me.ts';
import { loadUplot } from '../../ui/chart.tsx';
import { EmptyState } from '../../ui/feedback.tsx';
import { PageHeader } from '../../ui/page.tsx';
import { Kpis } from './kpis.tsx';
import { messages } from './messages.ts';
import { DEFAULT_PERIOD, isPeriod, PERIODS, periodRange } from './period.ts';
import { CampaignsChart, CasesChart, ForecastChart, PipelineChart, SalesChart } from './report-charts.tsx';
import './dashboard.css';

addMessages(messages);
// The charts' library loads beside the reports' requests, not after their answers.
loadUplot().catch(() => undefined);

/** `/app/`: the KPIs against the previous period and the report charts, for a chosen period. */
export function Dashboard() {
  useLang();
  const { me } = useSession();
  const { query, route } = useLocation();
  const period = isPeriod(query.period) ? query.period : DEFAULT_PERIOD;
  const range = useMemo(() => periodRange(period), [period]);

  if (me.role === 'rep')
    return (
      <section>
        <PageHeader title={t('dashboard.title')} />
        <EmptyState title={t('dashboard.repOnly')}>
          <a href={`${BASE}/pipeline`}>{t('dashboard.toPipeline')}</a>
        </EmptyState>
      </section>
    );

  return (
    <section class="dashboard">
      <PageHeader title={t('dashboard.title')}>
        <label class="period-picker">
          <span>{t('dashboard.period')}</span>
          <select
            value={period}
            onChange={(event) => route(`${BASE}/?period=${(event.target as HTMLSelectElement).value}`, true)}
          >
            {PERIODS.map((option) => (
              <option key={option} value={option}>
                {t(`dashboard.period.${option}`)}
              </option>
            ))}
          </select>
        </label>
      </PageHeader>
      <Kpis range={range} />
      <div class="chart-grid">
        <SalesChart range={range} />
        <PipelineChart />
        <ForecastChart />
        <CampaignsChart range={range} />
        <CasesChart range={range} />
      </div>
    </section>
  );
}
