import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client.ts';
import { BASE } from '../../config.ts';
import { formatDate, formatNumber } from '../../i18n/format.ts';
import { addMessages, t } from '../../i18n/index.ts';
import { useAsync } from '../../ui/async.ts';
import { useDebounced } from '../../ui/debounce.ts';
import { EmptyState, Loading, ProblemBanner } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import { PageHeader } from '../../ui/page.tsx';
import { campaignStatuses, StatusBadge } from './campaign-status.tsx';
import { messages } from './messages.ts';
import type { CampaignStatus } from './types.ts';
import './marketing.css';
import { TableWrap } from '../../ui/table-wrap.tsx';

addMessages(messages);

/** `/app/campaigns`: the campaigns the API shows this user, by status and name. */
export function CampaignsList() {
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState<CampaignStatus | ''>('');
  const q = useDebounced(query.trim(), 300);
  const list = useAsync(
    () =>
      ok(
        api().GET('/campaigns', {
          params: { query: { limit: '100', ...(q ? { q } : {}), ...(status ? { status } : {}) } },
        }),
      ),
    [q, status],
  );
  return (
    <section>
      <PageHeader title={t('marketing.campaigns.title')}>
        <a class="button button-primary" href={`${BASE}/campaigns/new`}>
          {t('marketing.campaigns.new')}
        </a>
      </PageHeader>
      <search class="toolbar">
        <Field label={t('marketing.campaigns.search')}>
          {(control) => (
            <input
              {...control}
              type="search"
              value={query}
              onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
            />
          )}
        </Field>
        <Field label={t('marketing.campaign.status')}>
          {(control) => (
            <select
              {...control}
              value={status}
              onChange={(e) => setStatus((e.target as HTMLSelectElement).value as CampaignStatus | '')}
            >
              <option value="">{t('marketing.campaigns.anyStatus')}</option>
              {campaignStatuses.map((value) => (
                <option key={value} value={value}>
                  {t(`marketing.status.${value}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </search>
      <ProblemBanner problem={list.status === 'failed' ? list.problem : undefined} onRetry={list.reload} />
      {!list.data ? (
        list.status === 'loading' && <Loading />
      ) : list.data.items.length === 0 ? (
        <EmptyState title={q || status ? t('marketing.campaigns.noMatch') : t('marketing.campaigns.empty')}>
          <a href={`${BASE}/campaigns/new`}>{t('marketing.campaigns.emptyAction')}</a>
        </EmptyState>
      ) : (
        <TableWrap label={t('marketing.campaigns.title')}>
          <table>
            <caption class="visually-hidden">{t('marketing.campaigns.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('marketing.campaign.name')}</th>
                <th scope="col">{t('marketing.campaign.status')}</th>
                <th scope="col">{t('marketing.campaign.when')}</th>
                <th scope="col" class="number">
                  {t('marketing.campaign.recipients')}
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((campaign) => (
                <tr key={campaign.id}>
                  <td>
                    <a href={`${BASE}/campaigns/${campaign.id}`}>{campaign.name}</a>
                  </td>
                  <td>
                    <StatusBadge status={campaign.status} />
                  </td>
                  <td>
                    {formatDate(
                      campaign.completedAt ??
                        campaign.startedAt ??
                        campaign.scheduledAt ??
                        campaign.createdAt,
                      true,
                    )}
                  </td>
                  <td class="number">{formatNumber(campaign.recipientCount)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}
