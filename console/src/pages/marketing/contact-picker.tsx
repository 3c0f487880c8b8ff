import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client.ts';
import { t } from '../../i18n/index.ts';
import { useAsync } from '../../ui/async.ts';
import { useDebounced } from '../../ui/debounce.ts';
import { ProblemBanner, Spinner } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';

/** Search GET /contacts by name or email and pick one (for a template's preview). */
export function ContactPicker({
  value,
  onChange,
}: {
  readonly value: string;
  readonly onChange: (contactId: string) => void;
}) {
  const [query, setQuery] = useState('');
  const q = useDebounced(query.trim(), 300);
  const found = useAsync(
    () => ok(api().GET('/contacts', { params: { query: { limit: '20', ...(q ? { q } : {}) } } })),
    [q],
  );
  const items = found.data?.items ?? [];
  return (
    <div class="contact-picker">
      <Field label={t('marketing.picker.search')}>
        {(control) => (
          <input
            {...control}
            type="search"
            value={query}
            onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
          />
        )}
      </Field>
      <Field label={t('marketing.picker.contact')}>
        {(control) => (
          <select
            {...control}
            value={value}
            onChange={(e) => onChange((e.target as HTMLSelectElement).value)}
          >
            <option value="">
              {items.length === 0 && found.status !== 'loading'
                ? t('marketing.picker.none')
                : t('marketing.picker.choose')}
            </option>
            {items.map((contact) => (
              <option key={contact.id} value={contact.id}>
                {[contact.firstName, contact.lastName].filter(Boolean).join(' ')}
                {contact.email ? ` <${contact.email}>` : ''}
              </option>
            ))}
          </select>
        )}
      </Field>
      {found.status === 'loading' && <Spinner />}
      <ProblemBanner problem={found.status === 'failed' ? found.problem : undefined} onRetry={found.reload} />
    </div>
  );
}
