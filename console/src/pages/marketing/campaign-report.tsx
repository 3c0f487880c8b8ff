import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client.ts';
import { formatDate, formatNumber, formatPercent } from '../../i18n/format.ts';
import { t } from '../../i18n/index.ts';
import { useSession } from '../../me.ts';
import { useAction, useAsync } from '../../ui/async.ts';
import { EmptyState, Loading, ProblemBanner, Spinner } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import { TableWrap } from '../../ui/table-wrap.tsx';
import type { Campaign, CampaignStats, Recipient, RecipientStatus } from './types.ts';

/** The campaign's figures (GET /campaigns/{id}/stats), its A/B variants, opens over time and recipients. */
export function CampaignReport({
  campaign,
  stats,
}: {
  readonly campaign: Campaign;
  readonly stats: CampaignStats;
}) {
  const { me } = useSession();
  // While the campaign sends, the page reloads its stats; the lists below follow those figures.
  const refresh = `${campaign.version}:${stats.sent}:${stats.delivered}:${stats.opened}:${stats.clicked}`;
  const figures: readonly { key: string; value: number; rate?: number }[] = [
    { key: 'recipients', value: stats.recipients },
    { key: 'sent', value: stats.sent },
    { key: 'delivered', value: stats.delivered },
    { key: 'opened', value: stats.opened, rate: stats.openRate },
    { key: 'clicked', value: stats.clicked, rate: stats.clickRate },
    { key: 'bounced', value: stats.bounced, rate: stats.bounceRate },
    { key: 'complained', value: stats.complained, rate: stats.complaintRate },
    { key: 'unsubscribed', value: stats.unsubscribed, rate: stats.unsubscribeRate },
    { key: 'suppressed', value: stats.suppressed },
    { key: 'failed', value: stats.failed },
  ];
  return (
    <section aria-labelledby="report-title">
      <h2 id="report-title">{t('marketing.report.title')}</h2>
      <ul class="stat-grid">
        {figures.map((figure) => (
          <li key={figure.key} class="stat">
            <span class="stat-label">{t(`marketing.stat.${figure.key}`)}</span>
            <span class="stat-value" data-stat={figure.key}>
              {formatNumber(figure.value)}
            </span>
            {figure.rate !== undefined && (
              <span class="stat-rate">
                {t('marketing.report.rate', { rate: formatPercent(figure.rate) })}
              </span>
            )}
          </li>
        ))}
      </ul>
      <p class="muted">
        {t('marketing.report.opensNote', {
          human: formatNumber(stats.humanOpens),
          machine: formatNumber(stats.machineOpens),
          cto: formatPercent(stats.clickToOpenRate),
        })}
      </p>
      {stats.variants && stats.variants.length > 0 && <Variants stats={stats} />}
      {me.role !== 'rep' && campaign.status !== 'draft' && <Timeseries id={campaign.id} refresh={refresh} />}
      {campaign.status !== 'draft' && <Recipients id={campaign.id} refresh={refresh} />}
    </section>
  );
}

function Variants({ stats }: { readonly stats: CampaignStats }) {
  return (
    <>
      <h3>{t('marketing.report.variants')}</h3>
      {stats.winner && (
        <p>
          {t('marketing.report.winner', {
            n: stats.winner.index + 1,
            by: t(`marketing.winnerBy.${stats.winner.by}`),
            at: formatDate(stats.winner.decidedAt, true),
          })}
        </p>
      )}
      <TableWrap label={t('marketing.report.variants')}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('marketing.report.variant')}</th>
              <th scope="col">{t('marketing.template.subject')}</th>
              <th scope="col" class="number">
                {t('marketing.stat.sent')}
              </th>
              <th scope="col" class="number">
                {t('marketing.stat.delivered')}
              </th>
              <th scope="col" class="number">
                {t('marketing.report.openRate')}
              </th>
              <th scope="col" class="number">
                {t('marketing.report.clickRate')}
              </th>
            </tr>
          </thead>
          <tbody>
            {stats.variants?.map((variant) => (
              <tr key={variant.index}>
                <th scope="row">{String.fromCharCode(65 + variant.index)}</th>
                <td>{variant.subject}</td>
                <td class="number">{formatNumber(variant.sent)}</td>
                <td class="number">{formatNumber(variant.delivered)}</td>
                <td class="number">{formatPercent(variant.openRate)}</td>
                <td class="number">{formatPercent(variant.clickRate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </>
  );
}

/** Opens and clicks per hour or day (GET /reports/campaigns/{id}/timeseries, managers and admins). */
function Timeseries({ id, refresh }: { readonly id: string; readonly refresh: string }) {
  const [bucket, setBucket] = useState<'hour' | 'day'>('hour');
  const series = useAsync(
    () =>
      ok(api().GET('/reports/campaigns/{id}/timeseries', { params: { path: { id }, query: { bucket } } })),
    [id, bucket, refresh],
  );
  return (
    <>
      <h3>{t('marketing.report.overTime')}</h3>
      <div class="inline-field">
        <Field label={t('marketing.report.bucket')}>
          {(control) => (
            <select
              {...control}
              value={bucket}
              onChange={(e) => setBucket((e.target as HTMLSelectElement).value as 'hour' | 'day')}
            >
              <option value="hour">{t('marketing.report.byHour')}</option>
              <option value="day">{t('marketing.report.byDay')}</option>
            </select>
          )}
        </Field>
      </div>
      <ProblemBanner
        problem={series.status === 'failed' ? series.problem : undefined}
        onRetry={series.reload}
      />
      {!series.data ? (
        series.status === 'loading' && <Loading />
      ) : series.data.items.length === 0 ? (
        <p class="muted">{t('marketing.report.noOpens')}</p>
      ) : (
        <TableWrap label={t('marketing.report.overTime')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('marketing.report.period')}</th>
                <th scope="col" class="number">
                  {t('marketing.report.humanOpens')}
                </th>
                <th scope="col" class="number">
                  {t('marketing.report.machineOpens')}
                </th>
                <th scope="col" class="number">
                  {t('marketing.report.clicks')}
                </th>
              </tr>
            </thead>
            <tbody>
              {series.data.items.map((item) => (
                <tr key={item.start}>
                  <td>{formatDate(item.start, bucket === 'hour')}</td>
                  <td class="number">{formatNumber(item.humanOpens)}</td>
                  <td class="number">{formatNumber(item.machineOpens)}</td>
                  <td class="number">{formatNumber(item.clicks)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </>
  );
}

const recipientStatuses: readonly RecipientStatus[] = [
  'pending',
  'held',
  'sending',
  'sent',
  'failed',
  'suppressed',
  'canceled',
  'bounced',
  'complained',
];

function Recipients({ id, refresh }: { readonly id: string; readonly refresh: string }) {
  const [status, setStatus] = useState<RecipientStatus | ''>('');
  const [more, setMore] = useState<{ items: Recipient[]; cursor: string | null }>({
    items: [],
    cursor: null,
  });
  const first = useAsync(async () => {
    const page = await ok(
      api().GET('/campaigns/{id}/recipients', {
        params: { path: { id }, query: { limit: '50', ...(status ? { status } : {}) } },
      }),
    );
    setMore({ items: [], cursor: page.nextCursor });
    return page;
  }, [id, status, refresh]);
  const loadMore = useAction(async () => {
    if (!more.cursor) return;
    const page = await ok(
      api().GET('/campaigns/{id}/recipients', {
        params: { path: { id }, query: { limit: '50', cursor: more.cursor, ...(status ? { status } : {}) } },
      }),
    );
    setMore({ items: [...more.items, ...page.items], cursor: page.nextCursor });
  });
  const items = [...(first.data?.items ?? []), ...more.items];
  return (
    <>
      <h3>{t('marketing.report.recipients')}</h3>
      <div class="inline-field">
        <Field label={t('marketing.report.recipientStatus')}>
          {(control) => (
            <select
              {...control}
              value={status}
              onChange={(e) => setStatus((e.target as HTMLSelectElement).value as RecipientStatus | '')}
            >
              <option value="">{t('marketing.campaigns.anyStatus')}</option>
              {recipientStatuses.map((value) => (
                <option key={value} value={value}>
                  {t(`marketing.recipient.${value}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <ProblemBanner problem={first.status === 'failed' ? first.problem : undefined} onRetry={first.reload} />
      {!first.data ? (
        first.status === 'loading' && <Loading />
      ) : items.length === 0 ? (
        <EmptyState title={t('marketing.report.noRecipients')} />
      ) : (
        <TableWrap label={t('marketing.report.recipients')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('marketing.report.email')}</th>
                <th scope="col">{t('marketing.campaign.status')}</th>
                <th scope="col">{t('marketing.report.sentAt')}</th>
                <th scope="col">{t('marketing.report.openedAt')}</th>
                <th scope="col">{t('marketing.report.clickedAt')}</th>
                <th scope="col">{t('marketing.report.reason')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((recipient) => (
                <tr key={recipient.contactId}>
                  <td>{recipient.email ?? recipient.contactId}</td>
                  <td>{t(`marketing.recipient.${recipient.status}`)}</td>
                  <td>{formatDate(recipient.sentAt, true)}</td>
                  <td>{formatDate(recipient.openedAt, true)}</td>
                  <td>{formatDate(recipient.clickedAt, true)}</td>
                  <td>{recipient.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {more.cursor && (
        <div class="actions">
          <button type="button" class="button" disabled={loadMore.busy} onClick={() => void loadMore.run()}>
            {t('common.more')}
          </button>
          {loadMore.busy && <Spinner />}
          <ProblemBanner problem={loadMore.problem} />
        </div>
      )}
    </>
  );
}
