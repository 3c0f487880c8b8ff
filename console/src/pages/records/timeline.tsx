import { useEffect, useState } from 'preact/hooks';
import { asProblem } from '../../api/client.ts';
import type { ApiProblem } from '../../api/problem.ts';
import { formatDate, formatRelative } from '../../i18n/format.ts';
import { t } from '../../i18n/index.ts';
import { EmptyState, ProblemBanner, Spinner } from '../../ui/feedback.tsx';
import { type Entity, fieldLabel } from './entities.ts';
import { loadTimeline, type TimelineEntry } from './record-api.ts';
import { loadUsers } from './users.ts';

const short = (value: unknown): string => {
  if (value === null || value === undefined || value === '') return '—';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
};

/** What happened, in a sentence: a known kind in words, any other kind as its name. */
function sentence(entry: TimelineEntry): string {
  const name = entry.summary ?? entry.subject.name ?? '';
  // A logged email says who wrote it: received from the person, or sent to them.
  const direction = entry.kind === 'activity' ? entry.data?.direction : undefined;
  const key =
    entry.data?.type === 'email' && (direction === 'inbound' || direction === 'outbound')
      ? `records.kind.email_${direction}`
      : `records.kind.${entry.kind}`;
  const text = t(key, { name });
  return text === key ? `${entry.kind.replace(/_/g, ' ')} ${name}`.trim() : text;
}

function labelOf(field: string): string {
  const text = fieldLabel(field);
  return text.startsWith('records.field.') ? field : text;
}

/**
 * The record's history, newest first, a page at a time ("Load more" follows the cursor, so no
 * entry is repeated or skipped). `refresh` changing reads the first page again.
 */
export function Timeline({
  entity,
  id,
  refresh,
}: {
  readonly entity: Entity;
  readonly id: string;
  readonly refresh: number;
}) {
  const [entries, setEntries] = useState<readonly TimelineEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [busy, setBusy] = useState(true);
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  // Names for actors the entries name only by id (the users list is shared with mentions).
  const [names, setNames] = useState<ReadonlyMap<string, string>>(new Map());
  useEffect(() => {
    loadUsers().then(
      (users) => setNames(new Map(users.map((user) => [user.id, user.name]))),
      () => undefined,
    );
  }, []);

  const load = async (from?: string) => {
    setBusy(true);
    setProblem(undefined);
    try {
      const page = await loadTimeline(entity, id, from);
      setEntries((previous) => (from ? [...previous, ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    void load();
    if (refresh === 0) return;
    // Entries are written from the change stream, a moment after the change: look once more.
    const again = setTimeout(() => void load(), 3000);
    return () => clearTimeout(again);
  }, [entity, id, refresh]);

  return (
    <section class="card" aria-labelledby="record-timeline">
      <h2 id="record-timeline">{t('records.timeline')}</h2>
      <ProblemBanner problem={problem} onRetry={() => void load()} />
      {!busy && !problem && entries.length === 0 && <EmptyState title={t('records.timelineEmpty')} />}
      <ol class="timeline">
        {entries.map((entry) => (
          <li key={entry.id}>
            <p>
              <strong>{entry.actor?.name ?? names.get(entry.actorId ?? '') ?? t('records.someone')}</strong>{' '}
              {sentence(entry)}
            </p>
            {entry.changes && entry.changes.length > 0 && (
              <ul class="timeline-changes">
                {entry.changes.map((change) => (
                  <li key={change.field}>
                    {t('records.changed', {
                      field: labelOf(change.field),
                      from: short(change.from),
                      to: short(change.to),
                    })}
                  </li>
                ))}
              </ul>
            )}
            <time class="muted" dateTime={entry.at} title={formatDate(entry.at, true)}>
              {formatRelative(entry.at)}
            </time>
          </li>
        ))}
      </ol>
      {busy && <Spinner />}
      {cursor && !busy && (
        <button type="button" class="button" onClick={() => void load(cursor)}>
          {t('records.loadMore')}
        </button>
      )}
    </section>
  );
}
