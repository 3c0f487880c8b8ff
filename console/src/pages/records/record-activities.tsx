import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client.ts';
import { formatDate } from '../../i18n/format.ts';
import { t } from '../../i18n/index.ts';
import { useAction, useAsync } from '../../ui/async.ts';
import { EmptyState, ProblemBanner, Spinner } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import { type Activity, completeActivity, createActivity, instantOf } from './activity-api.ts';
import { type Entity, enumLabel, singular } from './entities.ts';

const plannable = ['task', 'call', 'meeting'] as const;

/** The record's activities (open first) and a form to plan a task, call or meeting on it. */
export function RecordActivities({
  entity,
  id,
  onChange,
}: {
  readonly entity: Entity;
  readonly id: string;
  readonly onChange: () => void;
}) {
  const related = `${singular[entity]}:${id}`;
  const list = useAsync(
    async () => (await ok(api().GET('/activities', { params: { query: { related, limit: '50' } } }))).items,
    [related],
  );
  const [type, setType] = useState<(typeof plannable)[number]>('task');
  const [subject, setSubject] = useState('');
  const [due, setDue] = useState('');
  const [created, setCreated] = useState(false);
  const create = useAction(async () => {
    const dueAt = instantOf(due);
    await createActivity({
      type,
      subject: subject.trim(),
      ...(dueAt ? { dueAt } : {}),
      related: { type: singular[entity], id },
    });
    setSubject('');
    setDue('');
    setCreated(true);
    await list.reload();
    onChange();
  });
  const done = useAction(async (activity: Activity) => {
    await completeActivity(activity);
    await list.reload();
    onChange();
  });
  const items = [...(list.data ?? [])].sort(
    (a, b) =>
      Number(a.status !== 'open') - Number(b.status !== 'open') ||
      (a.dueAt ?? '').localeCompare(b.dueAt ?? ''),
  );

  return (
    <section class="card" aria-labelledby="record-activities">
      <h2 id="record-activities">{t('records.activities')}</h2>
      {list.status === 'failed' && <ProblemBanner problem={list.problem} onRetry={list.reload} />}
      {list.status === 'loading' && !list.data && <Spinner />}
      {list.status === 'ready' && items.length === 0 && <EmptyState title={t('records.activitiesEmpty')} />}
      {items.length > 0 && (
        <ul class="activity-list">
          {items.map((activity) => (
            <li key={activity.id}>
              <span class="activity-type">{enumLabel(activity.type)}</span> <span>{activity.subject}</span>
              <span class="muted">
                {' · '}
                {enumLabel(activity.status)}
                {activity.dueAt ? ` · ${t('records.due', { when: formatDate(activity.dueAt, true) })}` : ''}
              </span>
              {activity.status === 'open' && (
                <button
                  type="button"
                  class="button button-quiet"
                  disabled={done.busy}
                  onClick={() => void done.run(activity)}
                  aria-label={`${t('records.markDone')}: ${activity.subject}`}
                >
                  {t('records.markDone')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <ProblemBanner problem={done.problem} />
      <form
        class="activity-form"
        onSubmit={(event) => {
          event.preventDefault();
          setCreated(false);
          void create.run();
        }}
      >
        <h3>{t('records.newActivity')}</h3>
        <Field label={t('records.activityType')} path="type" problem={create.problem}>
          {(ids) => (
            <select
              {...ids}
              value={type}
              onChange={(event) => setType(event.currentTarget.value as (typeof plannable)[number])}
            >
              {plannable.map((value) => (
                <option key={value} value={value}>
                  {enumLabel(value)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('records.activitySubject')} path="subject" problem={create.problem}>
          {(ids) => (
            <input
              {...ids}
              required
              value={subject}
              onInput={(event) => setSubject(event.currentTarget.value)}
            />
          )}
        </Field>
        <Field label={t('records.activityDue')} path="dueAt" problem={create.problem}>
          {(ids) => (
            <input
              {...ids}
              type="datetime-local"
              value={due}
              onInput={(event) => setDue(event.currentTarget.value)}
            />
          )}
        </Field>
        <div class="actions">
          <button type="submit" class="button button-primary" disabled={create.busy}>
            {t('records.activityCreate')}
          </button>
          {create.busy && <Spinner label={t('common.saving')} />}
        </div>
        <ProblemBanner problem={create.problem} shownPaths={['type', 'subject', 'dueAt']} />
        {created && (
          <p role="status" class="muted">
            {t('records.activityCreated')}
          </p>
        )}
      </form>
    </section>
  );
}
