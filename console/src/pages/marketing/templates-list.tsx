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

/** `/app/templates`: email templates, searchable. */
export function TemplatesList() {
  const [query, setQuery] = useState('');
  const q = useDebounced(query.trim(), 300);
  const list = useAsync(
    () => ok(api().GET('/templates', { params: { query: { limit: '100', ...(q ? { q } : {}) } } })),
    [q],
  );
  return (
    <section>
      <PageHeader title={t('marketing.templates.title')}>
        <a class="button button-primary" href={`${BASE}/templates/new`}>
          {t('marketing.templates.new')}
        </a>
      </PageHeader>
      <SearchBox label={t('marketing.templates.search')} value={query} onInput={setQuery} />
      <ProblemBanner problem={list.status === 'failed' ? list.problem : undefined} onRetry={list.reload} />
      {!list.data ? (
        list.status === 'loading' && <Loading />
      ) : list.data.items.length === 0 ? (
        <EmptyState title={q ? t('marketing.templates.noMatch') : t('marketing.templates.empty')}>
          <a href={`${BASE}/templates/new`}>{t('marketing.templates.emptyAction')}</a>
        </EmptyState>
      ) : (
        <TableWrap label={t('marketing.templates.title')}>
          <table>
            <caption class="visually-hidden">{t('marketing.templates.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('marketing.template.name')}</th>
                <th scope="col">{t('marketing.template.subject')}</th>
                <th scope="col">{t('marketing.common.updated')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((template) => (
                <tr key={template.id}>
                  <td>
                    <a href={`${BASE}/templates/${template.id}`}>{template.name}</a>
                  </td>
                  <td>{template.subject}</td>
                  <td>{formatDate(template.updatedAt, true)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}
