import { useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { api, asProblem, ok } from '../../api/client.ts';
import { BASE } from '../../config.ts';
import { formatDate, formatNumber } from '../../i18n/format.ts';
import { addMessages, t } from '../../i18n/index.ts';
import { useSession } from '../../me.ts';
import { useAction, useAsync } from '../../ui/async.ts';
import { canChange } from '../../ui/can-change.ts';
import { ConfirmDialog } from '../../ui/confirm-dialog.tsx';
import { Loading, ProblemBanner, Spinner } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import { PageHeader } from '../../ui/page.tsx';
import { usePolling } from '../../ui/poll.ts';
import { CampaignReport } from './campaign-report.tsx';
import { StatusBadge } from './campaign-status.tsx';
import { messages } from './messages.ts';
import type { Campaign, CampaignStats } from './types.ts';
import './marketing.css';

addMessages(messages);

/** `/app/campaigns/new` (the create form) and `/app/campaigns/:id` (actions and report). */
export function CampaignPage() {
  const { params } = useRoute();
  return params.id && params.id !== 'new' ? <CampaignDetail id={params.id} /> : <CampaignCreate />;
}

const createPaths = ['name', 'templateId', 'segmentId', 'fromEmail', 'fromName', 'replyTo'];

function CampaignCreate() {
  const { route } = useLocation();
  const choices = useAsync(async () => {
    const [templates, segments] = await Promise.all([
      ok(api().GET('/templates', { params: { query: { limit: '100' } } })),
      ok(api().GET('/segments', { params: { query: { limit: '100' } } })),
    ]);
    return { templates: templates.items, segments: segments.items };
  }, []);
  const [draft, setDraft] = useState({
    name: '',
    templateId: '',
    segmentId: '',
    fromEmail: '',
    fromName: '',
    replyTo: '',
  });
  const set = (key: keyof typeof draft) => (event: Event) =>
    setDraft({ ...draft, [key]: (event.target as HTMLInputElement | HTMLSelectElement).value });
  const create = useAction(async () => {
    const { fromName, replyTo, ...required } = draft;
    const created = await ok(
      api().POST('/campaigns', {
        body: { ...required, ...(fromName ? { fromName } : {}), ...(replyTo ? { replyTo } : {}) },
      }),
    );
    // Replace the /new entry: Back must not reopen an empty form that would save a twin.
    route(`${BASE}/campaigns/${created.id}`, true);
  });
  if (choices.status === 'failed' && !choices.data)
    return <ProblemBanner problem={choices.problem} onRetry={choices.reload} />;
  if (!choices.data) return <Loading />;
  const { templates, segments } = choices.data;
  return (
    <section>
      <PageHeader title={t('marketing.campaign.new')}>
        <a class="button button-quiet" href={`${BASE}/campaigns`}>
          {t('marketing.campaigns.back')}
        </a>
      </PageHeader>
      <form
        class="card narrow"
        onSubmit={(event) => {
          event.preventDefault();
          void create.run();
        }}
      >
        <Field label={t('marketing.campaign.name')} path="name" problem={create.problem}>
          {(control) => <input {...control} type="text" required value={draft.name} onInput={set('name')} />}
        </Field>
        <Field
          label={t('marketing.campaign.template')}
          path="templateId"
          problem={create.problem}
          help={templates.length === 0 ? t('marketing.campaign.noTemplates') : undefined}
        >
          {(control) => (
            <select {...control} required value={draft.templateId} onChange={set('templateId')}>
              <option value="">{t('marketing.builder.choose')}</option>
              {templates.map((template) => (
                <option key={template.id} value={template.id}>
                  {template.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label={t('marketing.campaign.segment')}
          path="segmentId"
          problem={create.problem}
          help={segments.length === 0 ? t('marketing.campaign.noSegments') : undefined}
        >
          {(control) => (
            <select {...control} required value={draft.segmentId} onChange={set('segmentId')}>
              <option value="">{t('marketing.builder.choose')}</option>
              {segments.map((segment) => (
                <option key={segment.id} value={segment.id}>
                  {segment.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('marketing.campaign.fromEmail')} path="fromEmail" problem={create.problem}>
          {(control) => (
            <input {...control} type="email" required value={draft.fromEmail} onInput={set('fromEmail')} />
          )}
        </Field>
        <Field label={t('marketing.campaign.fromName')} path="fromName" problem={create.problem}>
          {(control) => <input {...control} type="text" value={draft.fromName} onInput={set('fromName')} />}
        </Field>
        <Field label={t('marketing.campaign.replyTo')} path="replyTo" problem={create.problem}>
          {(control) => <input {...control} type="email" value={draft.replyTo} onInput={set('replyTo')} />}
        </Field>
        <ProblemBanner problem={create.problem} shownPaths={createPaths} />
        <div class="actions">
          <button type="submit" class="button button-primary" disabled={create.busy}>
            {t('marketing.campaign.create')}
          </button>
          {create.busy && <Spinner label={t('common.saving')} />}
        </div>
      </form>
    </section>
  );
}

type Action = 'send' | 'schedule' | 'pause' | 'resume' | 'cancel';

const actionsFor: Record<Campaign['status'], readonly Action[]> = {
  draft: ['send'],
  scheduled: ['send', 'cancel'],
  sending: ['pause', 'cancel'],
  paused: ['resume', 'cancel'],
  sent: [],
  canceled: [],
};

/** The browser's `datetime-local` value (the user's own zone) as an ISO instant for the API. */
export function localToIso(local: string): string | undefined {
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** How long after the end of a send the report keeps refreshing itself. */
const SETTLE_MS = 60_000;

function CampaignDetail({ id }: { readonly id: string }) {
  const { me } = useSession();
  const loaded = useAsync(async () => {
    const [campaign, stats] = await Promise.all([
      ok(api().GET('/campaigns/{id}', { params: { path: { id } } })),
      ok(api().GET('/campaigns/{id}/stats', { params: { path: { id } } })),
    ]);
    return { campaign, stats };
  }, [id]);
  // The names of a draft's template and segment (a campaign keeps a snapshot of them once it starts).
  // Only a campaign without a snapshot needs them: asking anyway costs a request and, for a rep
  // who may not read the admin's template or segment, a 404 in the browser's console.
  const unfrozen = loaded.data !== undefined && !loaded.data.campaign.snapshot;
  const templateId = unfrozen ? loaded.data?.campaign.templateId : undefined;
  const segmentId = unfrozen ? loaded.data?.campaign.segmentId : undefined;
  const names = useAsync(async () => {
    const name = (call: Promise<{ data?: { name: string } }>) =>
      call.then(({ data }) => data?.name).catch(() => undefined);
    return {
      template: templateId
        ? await name(api().GET('/templates/{id}', { params: { path: { id: templateId } } }))
        : undefined,
      segment: segmentId
        ? await name(api().GET('/segments/{id}', { params: { path: { id: segmentId } } }))
        : undefined,
    };
  }, [templateId, segmentId]);
  const status = loaded.data?.campaign.status;
  const scheduledAt = loaded.data?.campaign.scheduledAt;
  const starting = status === 'scheduled' && !!scheduledAt && Date.parse(scheduledAt) - Date.now() < 60_000;
  // Deliveries, bounces and first opens keep arriving for a while after the last message left.
  const completedAt = loaded.data?.campaign.completedAt;
  const settling = status === 'sent' && !!completedAt && Date.now() - Date.parse(completedAt) < SETTLE_MS;
  // While it starts, sends or settles the figures move: refresh them every two seconds.
  usePolling(loaded.reload, 2000, status === 'sending' || starting || settling);
  const [pending, setPending] = useState<Action | undefined>();
  const [at, setAt] = useState('');
  const act = useAction(async (action: Action) => {
    try {
      await runAction(action);
    } catch (error) {
      // 409: the campaign moved on meanwhile (finished, paused elsewhere). Show its state now and
      // the refusal on the page, instead of a dialog that offers the same refused action again.
      if (asProblem(error).status === 409) {
        setPending(undefined);
        void loaded.reload();
      }
      throw error;
    }
  });
  const runAction = async (action: Action) => {
    const path = { params: { path: { id } } };
    if (action === 'send') await ok(api().POST('/campaigns/{id}/send', path));
    if (action === 'schedule') {
      const iso = localToIso(at);
      await ok(api().POST('/campaigns/{id}/schedule', { ...path, body: { at: iso ?? at } }));
    }
    if (action === 'pause') await ok(api().POST('/campaigns/{id}/pause', path));
    if (action === 'resume') await ok(api().POST('/campaigns/{id}/resume', path));
    if (action === 'cancel') await ok(api().POST('/campaigns/{id}/cancel', path));
    setPending(undefined);
    await loaded.reload();
  };
  if (loaded.status === 'failed' && !loaded.data)
    return <ProblemBanner problem={loaded.problem} onRetry={loaded.reload} />;
  if (!loaded.data) return <Loading />;
  const { campaign, stats } = loaded.data;
  // The API refuses (403) to act on a campaign of another user or team: offer nothing then.
  const writable = canChange(me, campaign);
  const actions = writable ? actionsFor[campaign.status] : [];
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (
    <section>
      <PageHeader title={campaign.name}>
        <a class="button button-quiet" href={`${BASE}/campaigns`}>
          {t('marketing.campaigns.back')}
        </a>
      </PageHeader>
      <div class="card">
        <dl class="facts">
          <div>
            <dt>{t('marketing.campaign.status')}</dt>
            <dd>
              <StatusBadge status={campaign.status} />
            </dd>
          </div>
          <div>
            <dt>{t('marketing.campaign.template')}</dt>
            <dd>
              {campaign.snapshot?.template.name ?? (
                <a href={`${BASE}/templates/${campaign.templateId}`}>
                  {names.data?.template ?? campaign.templateId}
                </a>
              )}
            </dd>
          </div>
          <div>
            <dt>{t('marketing.campaign.segment')}</dt>
            <dd>
              {campaign.snapshot?.segment.name ?? (
                <a href={`${BASE}/segments/${campaign.segmentId}`}>
                  {names.data?.segment ?? campaign.segmentId}
                </a>
              )}
            </dd>
          </div>
          <div>
            <dt>{t('marketing.campaign.from')}</dt>
            <dd>{campaign.fromName ? `${campaign.fromName} <${campaign.fromEmail}>` : campaign.fromEmail}</dd>
          </div>
          {campaign.scheduledAt && (
            <div>
              <dt>{t('marketing.campaign.scheduledAt')}</dt>
              <dd>{formatDate(campaign.scheduledAt, true)}</dd>
            </div>
          )}
          {campaign.completedAt && (
            <div>
              <dt>{t('marketing.campaign.completedAt')}</dt>
              <dd>{formatDate(campaign.completedAt, true)}</dd>
            </div>
          )}
        </dl>
        {(campaign.status === 'sending' || starting) && <SendProgress campaign={campaign} stats={stats} />}
        <ProblemBanner problem={act.problem} shownPaths={['at']} />
        {!writable && actionsFor[campaign.status].length > 0 && (
          <p class="banner banner-info" role="note">
            {t('marketing.readOnly')}
          </p>
        )}
        {writable && (campaign.status === 'draft' || campaign.status === 'scheduled') && (
          <form
            class="toolbar schedule-form"
            onSubmit={(event) => {
              event.preventDefault();
              setPending('schedule');
            }}
          >
            <Field
              label={t('marketing.campaign.scheduleAt')}
              help={t('marketing.campaign.zone', { zone })}
              path="at"
              problem={act.problem}
            >
              {(control) => (
                <input
                  {...control}
                  type="datetime-local"
                  required
                  value={at}
                  onInput={(e) => setAt((e.target as HTMLInputElement).value)}
                />
              )}
            </Field>
            <button type="submit" class="button" disabled={!at}>
              {t('marketing.action.schedule')}
            </button>
          </form>
        )}
        {actions.length > 0 && (
          <div class="actions">
            {actions.map((action) => (
              <button
                key={action}
                type="button"
                class={`button ${action === 'cancel' ? 'button-danger' : action === 'send' ? 'button-primary' : ''}`}
                onClick={() => setPending(action)}
              >
                {t(`marketing.action.${action}`)}
              </button>
            ))}
          </div>
        )}
      </div>
      <CampaignReport campaign={campaign} stats={stats} />
      <ConfirmDialog
        open={pending !== undefined}
        title={pending ? t(`marketing.confirm.${pending}.title`) : ''}
        body={
          pending
            ? t(`marketing.confirm.${pending}.body`, {
                name: campaign.name,
                at: pending === 'schedule' ? formatDate(localToIso(at), true) : '',
              })
            : ''
        }
        confirmLabel={pending ? t(`marketing.action.${pending}`) : ''}
        backLabel={t('marketing.confirm.back')}
        danger={pending === 'cancel'}
        busy={act.busy}
        problem={act.problem}
        onConfirm={() => pending && void act.run(pending)}
        onClose={() => setPending(undefined)}
      />
    </section>
  );
}

/** How far a sending campaign has come: recipients in a final state over all recipients. */
function SendProgress({ campaign, stats }: { readonly campaign: Campaign; readonly stats: CampaignStats }) {
  const total = Math.max(stats.recipients, campaign.recipientCount ?? 0);
  const done = stats.sent + stats.failed + stats.suppressed + stats.canceled;
  return (
    <div class="send-progress">
      <label>
        {campaign.status === 'scheduled'
          ? t('marketing.progress.starting')
          : campaign.phase === 'freezing'
            ? t('marketing.progress.freezing')
            : t('marketing.progress.sending', { done: formatNumber(done), total: formatNumber(total) })}
        <progress max={total || 1} value={total ? done : undefined} />
      </label>
      <Spinner />
    </div>
  );
}
