import { useState } from 'preact/hooks';
import { api, ok, type paths } from '../../api/client.ts';
import { formatDate } from '../../i18n/format.ts';
import { addMessages, t, useLang } from '../../i18n/index.ts';
import { useSession } from '../../me.ts';
import { useAsync } from '../../ui/async.ts';
import { canChange } from '../../ui/can-change.ts';
import { EmptyState, Loading, ProblemBanner, Spinner } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import { PageHeader } from '../../ui/page.tsx';
import { ResolveCaseButton } from '../records/case-resolve.tsx';
import { enumLabel } from '../records/entities.ts';
import { messages as recordMessages } from '../records/messages.ts';
import { recordHref } from '../records/related.tsx';
import { SlaBadge } from '../records/sla.tsx';
import { messages } from './messages.ts';
import { NewCaseButton } from './new-case.tsx';
import '../records/records.css';
import './work.css';

addMessages(recordMessages);
addMessages(messages);

type Query = NonNullable<paths['/cases']['get']['parameters']['query']>;
type CaseItem = paths['/cases']['get']['responses'][200]['content']['application/json']['items'][number];

const statuses = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
const priorities = ['low', 'normal', 'high', 'urgent'] as const;
const types = ['service_request', 'complaint', 'return', 'information'] as const;

/** Cases with their status, priority and SLA; filtered as `GET /cases` allows; resolve in place. */
export function CasesList() {
  useLang();
  const { me } = useSession();
  const [filters, setFilters] = useState<Query>({});
  const [draft, setDraft] = useState<Query>({});
  const [items, setItems] = useState<readonly CaseItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const first = useAsync(async () => {
    const page = await ok(api().GET('/cases', { params: { query: { ...filters, limit: '50' } } }));
    setItems(page.items);
    setCursor(page.nextCursor);
    return page;
  }, [JSON.stringify(filters)]);
  const [more, setMore] = useState(false);
  const loadMore = async () => {
    if (!cursor) return;
    setMore(true);
    try {
      const page = await ok(api().GET('/cases', { params: { query: { ...filters, limit: '50', cursor } } }));
      setItems((previous) => [...previous, ...page.items]);
      setCursor(page.nextCursor);
    } finally {
      setMore(false);
    }
  };
  const select = (key: 'status' | 'priority' | 'type', label: string, values: readonly string[]) => (
    <Field label={label}>
      {(ids) => (
        <select
          {...ids}
          value={draft[key] ?? ''}
          onChange={(event) => {
            const value = event.currentTarget.value;
            setDraft((previous) => ({ ...previous, [key]: value || undefined }));
          }}
        >
          <option value="">{t('work.any')}</option>
          {values.map((value) => (
            <option key={value} value={value}>
              {enumLabel(value)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
  return (
    <div>
      <PageHeader title={t('work.cases')}>
        <NewCaseButton onCreated={() => void first.reload()} />
      </PageHeader>
      <form
        class="toolbar filters"
        onSubmit={(event) => {
          event.preventDefault();
          const next = Object.fromEntries(Object.entries(draft).filter(([, value]) => value)) as Query;
          setFilters(next);
        }}
      >
        <Field label={t('work.filterSearch')}>
          {(ids) => (
            <input
              {...ids}
              type="search"
              value={draft.q ?? ''}
              onInput={(event) => {
                const value = event.currentTarget.value;
                setDraft((previous) => ({ ...previous, q: value || undefined }));
              }}
            />
          )}
        </Field>
        {select('status', t('work.filterStatus'), statuses)}
        {select('priority', t('work.filterPriority'), priorities)}
        {select('type', t('work.filterType'), types)}
        <button type="submit" class="button">
          {t('work.apply')}
        </button>
      </form>
      {first.status === 'failed' && <ProblemBanner problem={first.problem} onRetry={first.reload} />}
      {first.status === 'loading' && !first.data && <Loading />}
      {first.data && items.length === 0 && (
        <div class="card">
          <EmptyState title={t('work.casesEmpty')} />
        </div>
      )}
      {items.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('work.subject')}</th>
                <th scope="col">{t('work.status')}</th>
                <th scope="col">{t('work.priority')}</th>
                <th scope="col">{t('work.sla')}</th>
                <th scope="col">{t('work.opened')}</th>
                <th scope="col">{t('work.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.id}>
                  <td class="case-subject">
                    <a href={recordHref('cases', item.id)}>{item.subject}</a>
                  </td>
                  <td>{enumLabel(item.status)}</td>
                  <td>{enumLabel(item.priority)}</td>
                  <td>
                    <SlaBadge item={item} />
                  </td>
                  <td>{formatDate(item.createdAt)}</td>
                  <td>
                    {/* Another team's case is readable but not the user's to resolve (403). */}
                    {item.status !== 'resolved' && item.status !== 'closed' && canChange(me, item) && (
                      <ResolveCaseButton
                        caseId={item.id}
                        version={item.version}
                        subject={item.subject}
                        onResolved={() => void first.reload()}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {first.status === 'loading' && first.data && <Spinner />}
      {cursor && (
        <div class="actions">
          <button type="button" class="button" onClick={() => void loadMore()} disabled={more}>
            {t('work.loadMore')}
          </button>
          {more && <Spinner />}
        </div>
      )}
    </div>
  );
}
