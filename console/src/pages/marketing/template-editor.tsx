import { useEffect, useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { api, ok, okWithEtag } from '../../api/client.ts';
import { BASE } from '../../config.ts';
import { addMessages, t } from '../../i18n/index.ts';
import { useSession } from '../../me.ts';
import { useAction, useAsync } from '../../ui/async.ts';
import { canChange } from '../../ui/can-change.ts';
import { ConfirmDialog } from '../../ui/confirm-dialog.tsx';
import { Loading, ProblemBanner, Spinner } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import { PageHeader } from '../../ui/page.tsx';
import { ContactPicker } from './contact-picker.tsx';
import { messages } from './messages.ts';
import type { Rendered, Template } from './types.ts';
import './marketing.css';

addMessages(messages);

/** `/app/templates/new` and `/app/templates/:id`: the editor and a preview for a chosen contact. */
export function TemplateEditor() {
  const { params } = useRoute();
  const id = params.id && params.id !== 'new' ? params.id : undefined;
  const loaded = useAsync(async () => {
    if (!id) return { template: undefined, etag: undefined };
    const { data: template, etag } = await okWithEtag(
      api().GET('/templates/{id}', { params: { path: { id } } }),
    );
    return { template, etag };
  }, [id]);
  if (loaded.status === 'failed' && !loaded.data)
    return <ProblemBanner problem={loaded.problem} onRetry={loaded.reload} />;
  if (!loaded.data) return <Loading />;
  return <TemplateForm key={loaded.data.template?.id ?? 'new'} {...loaded.data} />;
}

const shownPaths = ['name', 'subject', 'html', 'text'];

function TemplateForm({
  template,
  etag: initialEtag,
}: {
  readonly template?: Template;
  readonly etag?: string;
}) {
  const { route } = useLocation();
  const { me } = useSession();
  const [saved, setSaved] = useState(template);
  const [etag, setEtag] = useState(initialEtag);
  const [draft, setDraft] = useState({
    name: template?.name ?? '',
    subject: template?.subject ?? '',
    html: template?.html ?? '',
    text: template?.text ?? '',
  });
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [notice, setNotice] = useState('');
  const set = (key: keyof typeof draft) => (event: Event) => {
    setNotice('');
    setDraft({ ...draft, [key]: (event.target as HTMLInputElement | HTMLTextAreaElement).value });
  };
  // The API refuses (403) changes to a template of another user or team.
  const writable = !saved || canChange(me, saved);

  const save = useAction(async () => {
    if (!saved) {
      const created = await ok(
        api().POST('/templates', {
          body: {
            name: draft.name,
            subject: draft.subject,
            html: draft.html,
            ...(draft.text ? { text: draft.text } : {}),
          },
        }),
      );
      // Replace the /new entry: Back must not reopen an empty form that would save a twin.
      route(`${BASE}/templates/${created.id}`, true);
      return;
    }
    const updated = await okWithEtag(
      api().PATCH('/templates/{id}', {
        params: { path: { id: saved.id }, header: etag ? { 'If-Match': etag } : {} },
        body: { name: draft.name, subject: draft.subject, html: draft.html, text: draft.text || null },
      }),
    );
    setSaved(updated.data);
    setEtag(updated.etag);
    setNotice(t('marketing.template.saved'));
  });
  const remove = useAction(async () => {
    if (!saved) return;
    await ok(
      api().DELETE('/templates/{id}', {
        params: { path: { id: saved.id }, header: etag ? { 'If-Match': etag } : {} },
      }),
    );
    // Replace the deleted template's entry: Back must not lead to a page that is gone.
    route(`${BASE}/templates`, true);
  });

  return (
    <section>
      <PageHeader title={saved ? saved.name : t('marketing.template.new')}>
        <a class="button button-quiet" href={`${BASE}/templates`}>
          {t('marketing.templates.back')}
        </a>
      </PageHeader>
      <div class="marketing-columns">
        <form
          class="card"
          onSubmit={(event) => {
            event.preventDefault();
            setNotice('');
            void save.run();
          }}
        >
          <Field label={t('marketing.template.name')} path="name" problem={save.problem}>
            {(control) => (
              <input {...control} type="text" required value={draft.name} onInput={set('name')} />
            )}
          </Field>
          <Field label={t('marketing.template.subject')} path="subject" problem={save.problem}>
            {(control) => (
              <input {...control} type="text" required value={draft.subject} onInput={set('subject')} />
            )}
          </Field>
          <Field
            label={t('marketing.template.html')}
            help={t('marketing.template.variables')}
            path="html"
            problem={save.problem}
          >
            {(control) => (
              <textarea
                {...control}
                rows={12}
                class="code"
                required
                value={draft.html}
                onInput={set('html')}
              />
            )}
          </Field>
          <Field label={t('marketing.template.text')} path="text" problem={save.problem}>
            {(control) => (
              <textarea {...control} rows={6} class="code" value={draft.text} onInput={set('text')} />
            )}
          </Field>
          <ProblemBanner problem={save.problem} shownPaths={shownPaths} />
          {!writable && (
            <p class="banner banner-info" role="note">
              {t('marketing.readOnly')}
            </p>
          )}
          {notice && (
            <p class="banner banner-success" role="status">
              {notice}
            </p>
          )}
          <div class="actions">
            {writable && (
              <button type="submit" class="button button-primary" disabled={save.busy}>
                {saved ? t('common.save') : t('marketing.template.create')}
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
        {saved ? (
          <TemplatePreview template={saved} />
        ) : (
          <p class="card muted">{t('marketing.preview.saveFirst')}</p>
        )}
      </div>
      <ConfirmDialog
        open={confirmDelete}
        title={t('marketing.template.deleteTitle')}
        body={t('marketing.template.deleteBody', { name: saved?.name ?? '' })}
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
 * The saved template rendered for one contact (POST /templates/{id}/render). The HTML is shown in
 * an iframe with an empty `sandbox`: no scripts, no forms, no navigation of this page.
 */
function TemplatePreview({ template }: { readonly template: Template }) {
  const [contactId, setContactId] = useState('');
  const [rendered, setRendered] = useState<Rendered | undefined>();
  const render = useAction(async (id: string) =>
    setRendered(
      await ok(
        api().POST('/templates/{id}/render', {
          params: { path: { id: template.id } },
          body: { contactId: id },
        }),
      ),
    ),
  );
  // A save changes what the preview shows: render it again for the same contact.
  useEffect(() => {
    if (contactId) void render.run(contactId);
  }, [template.version]);
  return (
    <section class="card" aria-labelledby="preview-title">
      <h2 id="preview-title">{t('marketing.preview.title')}</h2>
      <p class="muted">{t('marketing.preview.help')}</p>
      <ContactPicker
        value={contactId}
        onChange={(id) => {
          setContactId(id);
          setRendered(undefined);
          if (id) void render.run(id);
        }}
      />
      {render.busy && <Spinner />}
      <ProblemBanner problem={render.problem} />
      {rendered && (
        <div class="rendered">
          <p>
            <strong>{t('marketing.template.subject')}:</strong>{' '}
            <span data-testid="rendered-subject">{rendered.subject}</span>
          </p>
          <iframe
            class="email-frame"
            title={t('marketing.preview.frame')}
            sandbox=""
            srcdoc={rendered.html}
          />
          {rendered.text && (
            <details>
              <summary>{t('marketing.preview.text')}</summary>
              <pre class="email-text">{rendered.text}</pre>
            </details>
          )}
        </div>
      )}
    </section>
  );
}
