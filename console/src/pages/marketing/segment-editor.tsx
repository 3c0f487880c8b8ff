import { useCallback, useEffect, useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { api, ok, okWithEtag } from '../../api/client.ts';
import type { ApiProblem } from '../../api/problem.ts';
import { BASE } from '../../config.ts';
import { formatNumber } from '../../i18n/format.ts';
import { addMessages, t } from '../../i18n/index.ts';
import { useSession } from '../../me.ts';
import { useAction, useAsync } from '../../ui/async.ts';
import { canChange } from '../../ui/can-change.ts';
import { ConfirmDialog } from '../../ui/confirm-dialog.tsx';
import { useDebounced } from '../../ui/debounce.ts';
import { Loading, ProblemBanner, Spinner } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import { PageHeader } from '../../ui/page.tsx';
import { type CampaignChoices, FILTER_PATH, FilterBuilder } from './filter-builder.tsx';
import { conditionCount, emptyGroup, fromFilter, type Group, toFilter } from './filter-model.ts';
import { InterpretBox } from './interpret-box.tsx';
import { messages } from './messages.ts';
import type { Segment, SegmentPreview } from './types.ts';
import './marketing.css';

addMessages(messages);

/** `/app/segments/new` and `/app/segments/:id`: name, filter builder, count, plain-language box. */
export function SegmentEditor() {
  const { params } = useRoute();
  const id = params.id && params.id !== 'new' ? params.id : undefined;
  const loaded = useAsync(async () => {
    const campaigns = await ok(api().GET('/campaigns', { params: { query: { limit: '100' } } }));
    const choices: CampaignChoices = campaigns.items.map(({ id, name }) => ({ id, name }));
    if (!id)
      return {
        segment: undefined as Segment | undefined,
        etag: undefined as string | undefined,
        campaigns: choices,
      };
    const { data: segment, etag } = await okWithEtag(
      api().GET('/segments/{id}', { params: { path: { id } } }),
    );
    return { segment, etag, campaigns: choices };
  }, [id]);
  if (loaded.status === 'failed' && !loaded.data)
    return <ProblemBanner problem={loaded.problem} onRetry={loaded.reload} />;
  if (!loaded.data) return <Loading />;
  const { segment, etag, campaigns } = loaded.data;
  return <SegmentForm key={segment?.id ?? 'new'} segment={segment} etag={etag} campaigns={campaigns} />;
}

function SegmentForm({
  segment,
  etag: initialEtag,
  campaigns,
}: {
  readonly segment?: Segment;
  readonly etag?: string;
  readonly campaigns: CampaignChoices;
}) {
  const { route } = useLocation();
  const { me } = useSession();
  const [saved, setSaved] = useState(segment);
  const [etag, setEtag] = useState(initialEtag);
  const [name, setName] = useState(segment?.name ?? '');
  const [description, setDescription] = useState(segment?.description ?? '');
  const [group, setGroup] = useState<Group>(() => (segment ? fromFilter(segment.filter) : emptyGroup()));
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [notice, setNotice] = useState('');
  const filter = toFilter(group);
  // The API refuses (403) changes to a segment of another user or team, and an empty filter (400).
  const writable = !saved || canChange(me, saved);
  const empty = conditionCount(group) === 0;
  const dirty =
    !saved ||
    JSON.stringify(filter) !== JSON.stringify(toFilter(fromFilter(saved.filter))) ||
    name !== saved.name ||
    description !== (saved.description ?? '');

  const save = useAction(async () => {
    const body = { name, filter, ...(description ? { description } : {}) };
    if (!saved) {
      const created = await ok(api().POST('/segments', { body }));
      // Replace the /new entry: Back must not reopen an empty form that would save a twin.
      route(`${BASE}/segments/${created.id}`, true);
      return;
    }
    const updated = await okWithEtag(
      api().PATCH('/segments/{id}', {
        params: { path: { id: saved.id }, header: etag ? { 'If-Match': etag } : {} },
        body: { name, filter, description: description || null },
      }),
    );
    setSaved(updated.data);
    setEtag(updated.etag);
    setNotice(t('marketing.segment.saved'));
  });
  const remove = useAction(async () => {
    if (!saved) return;
    await ok(
      api().DELETE('/segments/{id}', {
        params: { path: { id: saved.id }, header: etag ? { 'If-Match': etag } : {} },
      }),
    );
    // Replace the deleted segment's entry: Back must not lead to a page that is gone.
    route(`${BASE}/segments`, true);
  });

  return (
    <section>
      <PageHeader title={saved ? saved.name : t('marketing.segment.new')}>
        <a class="button button-quiet" href={`${BASE}/segments`}>
          {t('marketing.segments.back')}
        </a>
      </PageHeader>
      <div class="marketing-columns">
        <div>
          <form
            class="card"
            onSubmit={(event) => {
              event.preventDefault();
              setNotice('');
              void save.run();
            }}
          >
            <Field label={t('marketing.segment.name')} path="name" problem={save.problem}>
              {(control) => (
                <input
                  {...control}
                  type="text"
                  required
                  value={name}
                  onInput={(e) => setName((e.target as HTMLInputElement).value)}
                />
              )}
            </Field>
            <Field label={t('marketing.segment.description')} path="description" problem={save.problem}>
              {(control) => (
                <input
                  {...control}
                  type="text"
                  value={description}
                  onInput={(e) => setDescription((e.target as HTMLInputElement).value)}
                />
              )}
            </Field>
            <h2>{t('marketing.segment.filter')}</h2>
            <FilterBuilder value={group} onChange={setGroup} campaigns={campaigns} problem={save.problem} />
            {empty && <p class="muted">{t('marketing.segment.matchesEveryone')}</p>}
            {!writable && (
              <p class="banner banner-info" role="note">
                {t('marketing.readOnly')}
              </p>
            )}
            <ProblemBanner
              problem={save.problem}
              shownPaths={['name', 'description', ...conditionPaths(save.problem)]}
            />
            {notice && !dirty && (
              <p class="banner banner-success" role="status">
                {notice}
              </p>
            )}
            <div class="actions">
              {writable && (
                <button
                  type="submit"
                  class="button button-primary"
                  disabled={save.busy || !name.trim() || empty}
                >
                  {saved ? t('common.save') : t('marketing.segment.create')}
                </button>
              )}
              {save.busy && <Spinner label={t('common.saving')} />}
              {saved && writable && (
                <button type="button" class="button button-danger" onClick={() => setConfirmDelete(true)}>
                  {t('common.delete')}
                </button>
              )}
            </div>
          </form>
        </div>
        <div>
          <SegmentCount segment={saved} dirty={dirty} />
          <InterpretBox onUse={(next) => setGroup(fromFilter(next))} />
        </div>
      </div>
      <ConfirmDialog
        open={confirmDelete}
        title={t('marketing.segment.deleteTitle')}
        body={t('marketing.segment.deleteBody', { name: saved?.name ?? '' })}
        confirmLabel={t('common.delete')}
        danger
        busy={remove.busy}
        problem={remove.problem}
        onConfirm={() => void remove.run()}
        onClose={() => setConfirmDelete(false)}
      />
    </section>
  );
}

/**
 * The count and a sample from GET /segments/{id}/preview. The API previews saved segments only
 * (interpret counts a sentence, not a filter), so the count is the saved filter's; it refreshes
 * as soon as a save lands, and says so while the builder holds unsaved changes.
 */
function SegmentCount({ segment, dirty }: { readonly segment?: Segment; readonly dirty: boolean }) {
  const version = useDebounced(segment ? `${segment.id}:${segment.version}` : '', 300);
  const [preview, setPreview] = useState<SegmentPreview | undefined>();
  const load = useAction(
    useCallback(async (id: string) => {
      setPreview(
        await ok(api().GET('/segments/{id}/preview', { params: { path: { id }, query: { limit: '5' } } })),
      );
    }, []),
  );
  useEffect(() => {
    const id = version.split(':')[0];
    if (id) void load.run(id);
  }, [version]);
  return (
    <section class="card segment-count" aria-labelledby="count-title">
      <h2 id="count-title">{t('marketing.count.title')}</h2>
      {!segment ? (
        <p class="muted">{t('marketing.count.saveFirst')}</p>
      ) : (
        <div aria-live="polite" aria-busy={load.busy}>
          {preview && (
            <p class="count-figure">
              <span data-testid="segment-count">{formatNumber(preview.count)}</span>{' '}
              {t('marketing.count.contacts', { count: preview.count })}
            </p>
          )}
          {load.busy && <Spinner />}
          {dirty && <p class="muted">{t('marketing.count.unsaved')}</p>}
          <ProblemBanner problem={load.problem} onRetry={() => void load.run(segment.id)} />
          {preview && preview.sample.length > 0 && (
            <>
              <h3>{t('marketing.count.sample')}</h3>
              <ul class="sample">
                {preview.sample.map((contact) => (
                  <li key={String(contact.id)}>{sampleName(contact)}</li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </section>
  );
}

/** The errors a condition row shows next to itself (any under `filter.` but the filter's own). */
function conditionPaths(problem: ApiProblem | undefined): string[] {
  return (problem?.errors ?? [])
    .map((error) => error.path)
    .filter((path) => path.startsWith(`${FILTER_PATH}.`));
}

function sampleName(contact: Record<string, unknown>): string {
  const name = [contact.firstName, contact.lastName].filter((part) => typeof part === 'string').join(' ');
  return name || String(contact.email ?? contact.id);
}
