import { useEffect, useState } from 'preact/hooks';
import { api, ok, type paths } from '../../api/client.ts';
import { t } from '../../i18n/index.ts';
import { useAction } from '../../ui/async.ts';
import { Dialog } from '../../ui/dialog.tsx';
import { ProblemBanner, Spinner } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import { enumLabel } from '../records/entities.ts';

type NewCase = paths['/cases']['post']['requestBody']['content']['application/json'];
type ContactItem =
  paths['/contacts']['get']['responses'][200]['content']['application/json']['items'][number];

const types = ['service_request', 'complaint', 'return', 'information'] as const;
const priorities = ['low', 'normal', 'high', 'urgent'] as const;
const channels = ['web', 'email', 'phone', 'in_person', 'chat'] as const;

/** "New case": subject, type, priority, channel, the contact (searched by name or email) and a description. */
export function NewCaseButton({ onCreated }: { readonly onCreated: () => void }) {
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState<Omit<NewCase, 'contactId'>>({
    subject: '',
    type: 'service_request',
    priority: 'normal',
  });
  const [search, setSearch] = useState('');
  const [contacts, setContacts] = useState<readonly ContactItem[]>([]);
  const [contactId, setContactId] = useState('');
  const [created, setCreated] = useState(false);

  useEffect(() => {
    if (!open) return;
    const timer = setTimeout(async () => {
      try {
        const page = await ok(
          api().GET('/contacts', {
            params: { query: { limit: '20', ...(search.trim() ? { q: search.trim() } : {}) } },
          }),
        );
        setContacts(page.items);
        if (page.items.length === 1 && page.items[0]) setContactId(page.items[0].id);
      } catch {
        setContacts([]);
      }
    }, 250);
    return () => clearTimeout(timer);
  }, [search, open]);

  const create = useAction(async () => {
    await ok(api().POST('/cases', { body: { ...form, contactId, subject: form.subject.trim() } }));
    setCreated(true);
    setOpen(false);
    setForm({ subject: '', type: 'service_request', priority: 'normal' });
    setContactId('');
    setSearch('');
    onCreated();
  });

  const set = <K extends keyof NewCase>(key: K, value: NewCase[K]) =>
    setForm((previous) => ({ ...previous, [key]: value }));

  return (
    <>
      <button
        type="button"
        class="button button-primary"
        onClick={() => {
          setCreated(false);
          setOpen(true);
        }}
      >
        {t('work.newCase')}
      </button>
      {created && (
        <span class="visually-hidden" role="status">
          {t('work.created')}
        </span>
      )}
      <Dialog open={open} title={t('work.newCase')} onClose={() => setOpen(false)}>
        <form
          class="new-case"
          onSubmit={(event) => {
            event.preventDefault();
            void create.run();
          }}
        >
          <Field label={t('work.subject')} path="subject" problem={create.problem}>
            {(ids) => (
              <input
                {...ids}
                required
                value={form.subject}
                onInput={(event) => set('subject', event.currentTarget.value)}
              />
            )}
          </Field>
          <Field label={t('work.contactSearch')} help={t('work.contactHelp')}>
            {(ids) => (
              <input
                {...ids}
                type="search"
                value={search}
                onInput={(event) => setSearch(event.currentTarget.value)}
              />
            )}
          </Field>
          <Field label={t('work.contact')} path="contactId" problem={create.problem}>
            {(ids) => (
              <select
                {...ids}
                required
                value={contactId}
                onChange={(event) => setContactId(event.currentTarget.value)}
              >
                <option value="">{t('work.contactPick')}</option>
                {contacts.map((contact) => (
                  <option key={contact.id} value={contact.id}>
                    {[contact.firstName, contact.lastName].filter(Boolean).join(' ')}
                    {contact.email ? ` <${contact.email}>` : ''}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('work.type')} path="type" problem={create.problem}>
            {(ids) => (
              <select
                {...ids}
                value={form.type}
                onChange={(event) => set('type', event.currentTarget.value as NewCase['type'])}
              >
                {types.map((value) => (
                  <option key={value} value={value}>
                    {enumLabel(value)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('work.priority')} path="priority" problem={create.problem}>
            {(ids) => (
              <select
                {...ids}
                value={form.priority}
                onChange={(event) => set('priority', event.currentTarget.value as NewCase['priority'])}
              >
                {priorities.map((value) => (
                  <option key={value} value={value}>
                    {enumLabel(value)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('work.channel')} path="channel" problem={create.problem}>
            {(ids) => (
              <select
                {...ids}
                value={form.channel ?? ''}
                onChange={(event) => {
                  const value = event.currentTarget.value as NonNullable<NewCase['channel']> | '';
                  setForm(({ channel: _, ...rest }) => (value ? { ...rest, channel: value } : rest));
                }}
              >
                <option value="">{t('records.empty')}</option>
                {channels.map((value) => (
                  <option key={value} value={value}>
                    {enumLabel(value)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('work.description')} path="description" problem={create.problem}>
            {(ids) => (
              <textarea
                {...ids}
                rows={3}
                value={form.description ?? ''}
                onInput={(event) => set('description', event.currentTarget.value)}
              />
            )}
          </Field>
          <ProblemBanner
            problem={create.problem}
            shownPaths={['subject', 'contactId', 'type', 'priority', 'channel', 'description']}
          />
          <div class="actions">
            <button type="submit" class="button button-primary" disabled={create.busy}>
              {t('work.create')}
            </button>
            <button type="button" class="button" onClick={() => setOpen(false)}>
              {t('common.cancel')}
            </button>
            {create.busy && <Spinner label={t('common.saving')} />}
          </div>
        </form>
      </Dialog>
    </>
  );
}
