import type { ComponentChildren } from 'preact';
import { useCallback, useState } from 'preact/hooks';
import { asProblem } from '../../api/client.ts';
import type { ApiProblem } from '../../api/problem.ts';
import { BASE } from '../../config.ts';
import { formatDate, formatMoney, formatNumber, formatPercent } from '../../i18n/format.ts';
import { t, useLang } from '../../i18n/index.ts';
import { useSession } from '../../me.ts';
import { useAction, useAsync } from '../../ui/async.ts';
import { canChange } from '../../ui/can-change.ts';
import { EmptyState, Loading, ProblemBanner } from '../../ui/feedback.tsx';
import { PageHeader } from '../../ui/page.tsx';
import { CommentBox } from './comment-box.tsx';
import {
  type CustomValue,
  type Entity,
  enumLabel,
  type FieldSpec,
  fieldLabel,
  fieldsOf,
  type InputKind,
  type RecordData,
  recordName,
  singular,
} from './entities.ts';
import { InlineField } from './inline-field.tsx';
import { RecordActivities } from './record-activities.tsx';
import {
  type CustomFieldDefinition,
  type Loaded,
  loadCustomFields,
  loadRecord,
  patchRecord,
  restoreRecord,
  setFollowing,
} from './record-api.ts';
import { Timeline } from './timeline.tsx';

/** What an entity's page adds to the shared frame: header actions and sections of its own. */
export interface RecordContext {
  readonly entity: Entity;
  readonly record: RecordData;
  /** Reads the record again (after an action that changed it). */
  readonly reload: () => Promise<void>;
  /** Sends a change with the page's If-Match (a conflict shows the page's reload message). */
  readonly save: (body: Record<string, unknown>) => Promise<ApiProblem | undefined>;
  /** Counts reloads: a key that closes open editors when the record is read again. */
  readonly generation: number;
  /** Whether the signed-in user may change the record (the API answers 403 otherwise). */
  readonly writable: boolean;
}

interface PageData extends Loaded {
  readonly definitions: readonly CustomFieldDefinition[];
}

/** A value as people read it: enums in words, money, dates and numbers in their locale. */
function shownValue(spec: Pick<FieldSpec, 'kind' | 'display'>, value: unknown, record: RecordData): string {
  if (value === undefined || value === null || value === '') return '';
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'boolean') return enumLabel(String(value));
  if (spec.display === 'money' && typeof value === 'number')
    return formatMoney(value, typeof record.currency === 'string' ? record.currency : 'EUR');
  if (spec.display === 'percent' && typeof value === 'number') return formatPercent(value / 100, 0);
  if (spec.display === 'date' || spec.kind === 'date') return formatDate(String(value));
  if (typeof value === 'number') return formatNumber(value, 2);
  if (spec.kind === 'select') return enumLabel(String(value));
  return String(value);
}

const customKind: Record<CustomFieldDefinition['type'], InputKind> = {
  text: 'text',
  number: 'number',
  date: 'date',
  boolean: 'boolean',
  select: 'select',
  multiselect: 'multiselect',
};

/**
 * The page of one record, the same frame for contacts, companies, leads, deals and cases: its
 * fields (custom ones too) edited in place with If-Match, a clear stop when someone else changed
 * it meanwhile, follow, activities, a comment box with mentions, and the timeline.
 */
export function RecordPage({
  entity,
  id,
  actions,
  children,
}: {
  readonly entity: Entity;
  readonly id: string;
  readonly actions?: (context: RecordContext) => ComponentChildren;
  readonly children?: (context: RecordContext) => ComponentChildren;
}) {
  useLang();
  const { me } = useSession();
  const state = useAsync<PageData>(async () => {
    const [loaded, definitions] = await Promise.all([
      loadRecord(entity, id),
      loadCustomFields(entity).catch(() => []),
    ]);
    return { ...loaded, definitions };
  }, [entity, id]);
  const [current, setCurrent] = useState<Loaded | undefined>();
  const [conflict, setConflict] = useState(false);
  const [saved, setSaved] = useState(false);
  const [changes, setChanges] = useState(0);
  const [generation, setGeneration] = useState(0);
  // What the page shows: the last save's answer, else the last load's.
  const data = state.data;
  const shown =
    current && data && current.record.id === data.record.id && current.record.version >= data.record.version
      ? current
      : data;

  const reload = useCallback(async () => {
    setConflict(false);
    setSaved(false);
    setCurrent(undefined);
    await state.reload();
    setGeneration((count) => count + 1);
    setChanges((count) => count + 1);
  }, [state.reload]);

  const save = useCallback(
    async (body: Record<string, unknown>): Promise<ApiProblem | undefined> => {
      if (!shown) return undefined;
      setSaved(false);
      try {
        setCurrent(await patchRecord(entity, id, shown.etag, body));
        setSaved(true);
        setChanges((count) => count + 1);
        return undefined;
      } catch (error) {
        const problem = asProblem(error);
        if (problem.status === 412) setConflict(true);
        return problem;
      }
    },
    [entity, id, shown],
  );

  if (!shown) {
    if (state.status === 'failed')
      return <RecordProblem entity={entity} problem={state.problem} retry={reload} />;
    return <Loading />;
  }
  const { record } = shown;
  const writable = canChange(me, record);
  const context: RecordContext = { entity, record, reload, save, generation, writable };
  const name = recordName(entity, record) || t(`records.${singular[entity]}`);
  const definitions = data?.definitions ?? [];
  const definedKeys = new Set(definitions.map((definition) => definition.key));
  const leftoverKeys = Object.keys(record.customFields ?? {}).filter((key) => !definedKeys.has(key));

  return (
    <div class="record-page">
      <PageHeader title={name}>
        <FollowButton entity={entity} id={id} />
        {actions?.(context)}
      </PageHeader>
      <p class="muted record-kind">{t(`records.${singular[entity]}`)}</p>
      {conflict && (
        <div class="banner banner-error" role="alert">
          <p>{t('records.conflict')}</p>
          <button type="button" class="button button-primary" onClick={() => void reload()}>
            {t('records.reload')}
          </button>
        </div>
      )}
      {saved && !conflict && (
        <p class="visually-hidden" role="status">
          {t('records.saved')}
        </p>
      )}
      {state.status === 'failed' && <ProblemBanner problem={state.problem} onRetry={reload} />}
      {record.archived && writable && <ArchivedBanner entity={entity} id={id} onRestored={reload} />}
      {!writable && (
        <p class="banner banner-info" role="status">
          {t('records.readOnlyNote')}
        </p>
      )}
      <div class="record-grid">
        <div class="record-main">
          <section class="card" aria-labelledby="record-details">
            <h2 id="record-details">{t('records.details')}</h2>
            <dl class="record-fields" key={`fields-${generation}`}>
              {fieldsOf[entity].map((spec) => (
                <InlineField
                  key={spec.key}
                  label={fieldLabel(spec.key)}
                  kind={spec.kind}
                  value={record[spec.key] as CustomValue | undefined}
                  shown={shownValue(spec, record[spec.key], record)}
                  options={spec.options}
                  required={spec.required}
                  readOnly={spec.readOnly || record.archived || !writable}
                  path={spec.key}
                  onSave={(value) => save({ [spec.key]: value })}
                />
              ))}
            </dl>
            {(definitions.length > 0 || leftoverKeys.length > 0) && (
              <>
                <h3>{t('records.customFields')}</h3>
                <dl class="record-fields" key={`custom-${generation}`}>
                  {definitions.map((definition) => {
                    const kind = customKind[definition.type];
                    const value = record.customFields?.[definition.key];
                    return (
                      <InlineField
                        key={definition.key}
                        label={definition.label}
                        kind={kind}
                        value={value}
                        shown={shownValue({ kind }, value, record)}
                        options={definition.options}
                        required={definition.required}
                        readOnly={record.archived || !writable}
                        path={`customFields.${definition.key}`}
                        onSave={(next) => save({ customFields: { [definition.key]: next } })}
                      />
                    );
                  })}
                  {leftoverKeys.map((key) => (
                    <InlineField
                      key={key}
                      label={key}
                      kind="text"
                      value={record.customFields?.[key]}
                      shown={shownValue({ kind: 'text' }, record.customFields?.[key], record)}
                      readOnly
                      path={`customFields.${key}`}
                      onSave={async () => undefined}
                    />
                  ))}
                </dl>
              </>
            )}
          </section>
          {children?.(context)}
        </div>
        <div class="record-side">
          <RecordActivities entity={entity} id={id} onChange={() => setChanges((count) => count + 1)} />
          <CommentBox entity={entity} id={id} onPosted={() => setChanges((count) => count + 1)} />
          <Timeline entity={entity} id={id} refresh={changes} />
        </div>
      </div>
    </div>
  );
}

/** A record the API would not give: forbidden, missing (or not visible), or another failure. */
function RecordProblem({
  entity,
  problem,
  retry,
}: {
  readonly entity: Entity;
  readonly problem: ApiProblem;
  readonly retry: () => void;
}) {
  const title = t(`records.${singular[entity]}`);
  if (problem.status === 403 || problem.status === 404)
    return (
      <div>
        <PageHeader title={title} />
        <div class="card" role="alert">
          <EmptyState title={t(problem.status === 403 ? 'records.forbidden' : 'records.notFound')}>
            <a href={`${BASE}/${entity}`}>{t('records.back')}</a>
          </EmptyState>
        </div>
      </div>
    );
  return (
    <div>
      <PageHeader title={title} />
      <ProblemBanner problem={problem} onRetry={retry} />
    </div>
  );
}

function ArchivedBanner({
  entity,
  id,
  onRestored,
}: {
  readonly entity: Entity;
  readonly id: string;
  readonly onRestored: () => Promise<void>;
}) {
  const restore = useAction(async () => {
    await restoreRecord(entity, id);
    await onRestored();
  });
  return (
    <div class="banner banner-info" role="status">
      <p>{t('records.archived')}</p>
      <button type="button" class="button" onClick={() => void restore.run()} disabled={restore.busy}>
        {t('records.restore')}
      </button>
      <ProblemBanner problem={restore.problem} />
    </div>
  );
}

/**
 * Follow and unfollow. The API tells whether one follows only in answer to a follow, so the
 * button starts as "Follow" (following again is harmless).
 */
function FollowButton({ entity, id }: { readonly entity: Entity; readonly id: string }) {
  const [following, setFollowingState] = useState(false);
  const toggle = useAction(async () => setFollowingState(await setFollowing(entity, id, !following)));
  return (
    <>
      <button type="button" class="button" onClick={() => void toggle.run()} disabled={toggle.busy}>
        {following ? t('records.unfollow') : t('records.follow')}
      </button>
      {following && (
        <p class="visually-hidden" role="status">
          {t('records.following')}
        </p>
      )}
      {toggle.problem && <ProblemBanner problem={toggle.problem} />}
    </>
  );
}
