import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client.ts';
import { formatDate, formatRelative } from '../../i18n/format.ts';
import { addMessages, t, useLang } from '../../i18n/index.ts';
import { useAction, useAsync } from '../../ui/async.ts';
import { EmptyState, Loading, ProblemBanner, Spinner } from '../../ui/feedback.tsx';
import { PageHeader } from '../../ui/page.tsx';
import { type Activity, completeActivity } from '../records/activity-api.ts';
import { enumLabel, pluralOf } from '../records/entities.ts';
import { messages as recordMessages } from '../records/messages.ts';
import { recordHref } from '../records/related.tsx';
import { messages } from './messages.ts';
import './work.css';

addMessages(recordMessages);
addMessages(messages);

type Group = 'overdue' | 'today' | 'upcoming' | 'noDate';
const groups: readonly Group[] = ['overdue', 'today', 'upcoming', 'noDate'];

/** Overdue (due before now), today (due later today), upcoming, or undated. */
export function groupOf(activity: Pick<Activity, 'dueAt'>, now = new Date()): Group {
  if (!activity.dueAt) return 'noDate';
  const due = new Date(activity.dueAt);
  if (due.getTime() < now.getTime()) return 'overdue';
  const endOfDay = new Date(now);
  endOfDay.setHours(23, 59, 59, 999);
  return due.getTime() <= endOfDay.getTime() ? 'today' : 'upcoming';
}

/** `GET /me/agenda`, every page (an agenda is short; at most 10 pages of 100). */
async function loadAgenda(): Promise<Activity[]> {
  const items: Activity[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 10; page++) {
    const result = await ok(
      api().GET('/me/agenda', { params: { query: { limit: '100', ...(cursor ? { cursor } : {}) } } }),
    );
    items.push(...result.items);
    cursor = result.nextCursor ?? undefined;
    if (!cursor) break;
  }
  return items;
}

/** My open activities: overdue first, then today and upcoming; each can be marked done. */
export function Agenda() {
  useLang();
  const agenda = useAsync(loadAgenda, []);
  const [doneSubject, setDoneSubject] = useState<string | undefined>();
  const done = useAction(async (activity: Activity) => {
    await completeActivity(activity);
    setDoneSubject(activity.subject);
    await agenda.reload();
  });
  const items = agenda.data ?? [];
  const now = new Date();
  return (
    <div>
      <PageHeader title={t('work.agenda')} />
      {agenda.status === 'failed' && <ProblemBanner problem={agenda.problem} onRetry={agenda.reload} />}
      <ProblemBanner problem={done.problem} />
      {doneSubject && (
        <p class="banner banner-success" role="status">
          {t('work.doneMessage', { subject: doneSubject })}
        </p>
      )}
      {agenda.status === 'loading' && !agenda.data && <Loading />}
      {agenda.status !== 'loading' && agenda.data && items.length === 0 && (
        <div class="card">
          <EmptyState title={t('work.agendaEmpty')} />
        </div>
      )}
      {items.length > 0 &&
        groups.map((group) => {
          const inGroup = items.filter((activity) => groupOf(activity, now) === group);
          if (group === 'noDate' && inGroup.length === 0) return null;
          return (
            <section key={group} class="card" aria-labelledby={`agenda-${group}`}>
              <h2 id={`agenda-${group}`}>
                {t(`work.${group}`)} <span class="muted">({inGroup.length})</span>
              </h2>
              {inGroup.length === 0 ? (
                <p class="muted">{t('work.sectionEmpty')}</p>
              ) : (
                <ul class="agenda-list">
                  {inGroup.map((activity) => (
                    <li key={activity.id} class={group === 'overdue' ? 'agenda-overdue' : ''}>
                      <div class="agenda-what">
                        <span class="agenda-type">{enumLabel(activity.type)}</span> {activity.subject}
                        {activity.dueAt && (
                          <span class="muted">
                            {' · '}
                            <time dateTime={activity.dueAt} title={formatDate(activity.dueAt, true)}>
                              {formatDate(activity.dueAt, true)} ({formatRelative(activity.dueAt)})
                            </time>
                          </span>
                        )}
                        {activity.related && (
                          <>
                            {' · '}
                            <a href={recordHref(pluralOf[activity.related.type], activity.related.id)}>
                              {t('work.openRecord')} ({t(`records.${activity.related.type}`)})
                            </a>
                          </>
                        )}
                      </div>
                      <button
                        type="button"
                        class="button"
                        disabled={done.busy}
                        onClick={() => void done.run(activity)}
                        aria-label={`${t('work.markDone')}: ${activity.subject}`}
                      >
                        {t('work.markDone')}
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          );
        })}
      {done.busy && <Spinner label={t('common.saving')} />}
    </div>
  );
}
