import { api, ok, type paths } from '../../api/client.ts';
import { formatDate, formatRelative } from '../../i18n/format.ts';
import { addMessages, t, useLang } from '../../i18n/index.ts';
import { useSession } from '../../me.ts';
import { useAction, useAsync } from '../../ui/async.ts';
import { EmptyState, Loading, ProblemBanner, Spinner } from '../../ui/feedback.tsx';
import { PageHeader } from '../../ui/page.tsx';
import { type Entity, pluralOf, type RelatedType } from '../records/entities.ts';
import { messages as recordMessages } from '../records/messages.ts';
import { recordHref } from '../records/related.tsx';
import { messages } from './messages.ts';
import './work.css';

addMessages(recordMessages);
addMessages(messages);

type Notification =
  paths['/me/notifications']['get']['responses'][200]['content']['application/json']['items'][number];

/** Unread first (newest first within each), then the read ones: at most 5 pages of 100. */
async function loadNotifications(): Promise<Notification[]> {
  const items: Notification[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 5; page++) {
    const result = await ok(
      api().GET('/me/notifications', { params: { query: { limit: '100', ...(cursor ? { cursor } : {}) } } }),
    );
    items.push(...result.items);
    cursor = result.nextCursor ?? undefined;
    if (!cursor) break;
  }
  return items.sort((a, b) => Number(a.read) - Number(b.read) || b.occurredAt.localeCompare(a.occurredAt));
}

const linkOf = (record: Notification['record']): string | undefined => {
  if (!record) return undefined;
  const plural: Entity | undefined = pluralOf[record.type as RelatedType];
  return plural ? recordHref(plural, record.id) : undefined;
};

/** Kinds the console words itself, in the reader's language; the rest keep the API's (English) title. */
const worded = new Set(['mention', 'commented', 'assigned']);

/** A notification's title in the user's language when its kind and parts are known, else the API's. */
export function notificationTitle(item: Notification): string {
  const record = item.record;
  if (!worded.has(item.kind) || !record?.name) return item.title;
  // Mid-sentence: "on deal “X”", "en oportunidad «X»".
  const type = (
    pluralOf[record.type as RelatedType] ? t(`records.${record.type}`) : record.type
  ).toLocaleLowerCase();
  const vars = { who: item.actor?.name ?? t('work.someone'), type, name: record.name };
  if (item.kind === 'assigned' && !item.actor?.name) return t('work.title.assignedNoActor', vars);
  return t(`work.title.${item.kind}`, vars);
}

/** My notifications: unread first, each linking to its record; mark one or all as read. */
export function Notifications() {
  useLang();
  const { refreshUnread } = useSession();
  const list = useAsync(loadNotifications, []);
  const mark = useAction(async (body: { ids: string[] } | { all: true }) => {
    await ok(api().POST('/me/notifications/read', { body }));
    refreshUnread();
    await list.reload();
  });
  const items = list.data ?? [];
  const unread = items.filter((item) => !item.read).length;
  return (
    <div>
      <PageHeader title={t('work.notifications')}>
        {unread > 0 && (
          <button
            type="button"
            class="button"
            disabled={mark.busy}
            onClick={() => void mark.run({ all: true })}
          >
            {t('work.markAllRead')}
          </button>
        )}
      </PageHeader>
      {list.status === 'failed' && <ProblemBanner problem={list.problem} onRetry={list.reload} />}
      <ProblemBanner problem={mark.problem} />
      {list.status === 'loading' && !list.data && <Loading />}
      {list.data && items.length === 0 && (
        <div class="card">
          <EmptyState title={t('work.notificationsEmpty')} />
        </div>
      )}
      {list.data && items.length > 0 && unread === 0 && (
        <p class="muted" role="status">
          {t('work.allRead')}
        </p>
      )}
      {items.length > 0 && (
        <div class="card">
          <ul class="notification-list">
            {items.map((item) => {
              const href = linkOf(item.record);
              const title = notificationTitle(item);
              return (
                <li key={item.id} class={item.read ? '' : 'notification-unread'}>
                  <div class="notification-what">
                    <span class="visually-hidden">{item.read ? t('work.read') : t('work.unread')}: </span>
                    {!item.read && <span aria-hidden="true">● </span>}
                    <span class="notification-title">{href ? <a href={href}>{title}</a> : title}</span>
                    {item.excerpt && <p class="notification-excerpt">{item.excerpt}</p>}
                    <p class="muted notification-excerpt">
                      {item.actor?.name ? `${item.actor.name} · ` : ''}
                      <time dateTime={item.occurredAt} title={formatDate(item.occurredAt, true)}>
                        {formatRelative(item.occurredAt)}
                      </time>
                    </p>
                  </div>
                  {!item.read && (
                    <button
                      type="button"
                      class="button"
                      disabled={mark.busy}
                      onClick={() => void mark.run({ ids: [item.id] })}
                      aria-label={`${t('work.markRead')}: ${title}`}
                    >
                      {t('work.markRead')}
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
        </div>
      )}
      {mark.busy && <Spinner label={t('common.saving')} />}
    </div>
  );
}
