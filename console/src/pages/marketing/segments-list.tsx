import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client.ts';
import { BASE } from '../../config.ts';
import { formatDate } from '../../i18n/format.ts';
import { addMessages, t } from '../../i18n/index.ts';
import { useAsync } from '../../ui/async.ts';
import { useDebounced } from '../../ui/debounce.ts';
import { EmptyState, Loading, ProblemBanner } from '../../ui/feedback.tsx';
import { PageHeader } from '../../ui/page.tsx';
import { messages } from './messages.ts';
import { SearchBox } from './search-box.tsx';
import './marketing.css';
import { TableWrap } from '../../ui/table-wrap.tsx';

addMessages(messages);

/** `/app/segments`: the segments the API shows this user, searchable. */
export function SegmentsList() {
  const [query, setQuery] = useState('');
  const q = useDebounced(query.trim(), 300);
  const list = useAsync(
    () => ok(api().GET('/segments', { params: { query: { limit: '100', ...(q ? { q } : {}) } } })),
    [q],
  );
  return (
    <section>
      <PageHeader title={t('marketing.segments.title')}>
        <a class="button button-primary" href={`${BASE}/segments/new`}>
          {t('marketing.segments.new')}
        </a>
      </PageHeader>
      <SearchBox label={t('marketing.segments.search')} value={query} onInput={setQuery} />
      <ProblemBanner problem={list.status === 'failed' ? list.problem : undefined} onRetry={list.reload} />
      {!list.data ? (
        list.status === 'loading' && <Loading />
      ) : list.data.items.length === 0 ? (
        <EmptyState title={q ? t('marketing.segments.noMatch') : t('marketing.segments.empty')}>
          <a href={`${BASE}/segments/new`}>{t('marketing.segments.emptyAction')}</a>
        </EmptyState>
      ) : (
        <TableWrap label={t('marketing.segments.title')}>
          <table>
            <caption class="visually-hidden">{t('marketing.segments.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('marketing.segment.name')}</th>
                <th scope="col">{t('marketing.segment.description')}</th>
                <th scope="col">{t('marketing.common.updated')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((segment) => (
                <tr key={segment.id}>
                  <td>
                    <a href={`${BASE}/segments/${segment.id}`}>{segment.name}</a>
                  </td>
                  <td>{segment.description ?? ''}</td>
                  <td>{formatDate(segment.updatedAt, true)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}
