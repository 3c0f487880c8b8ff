import { useState } from 'preact/hooks';
import { locale, t } from '../../i18n/index.ts';
import { useAction } from '../../ui/async.ts';
import { ProblemBanner, Spinner } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import { parseLocalNumber } from '../../ui/parse-number.ts';

export interface FormField {
  /** The body's property, also the path of the API's field errors. */
  readonly name: string;
  readonly label: () => string;
  readonly type?: 'text' | 'email' | 'tel' | 'number' | 'date' | 'url' | 'select';
  readonly required?: boolean;
  /** Choices for a select, given the values entered so far (a stage depends on its pipeline). */
  readonly options?: (
    values: Readonly<Record<string, string>>,
  ) => readonly { value: string; label: string }[];
  /** The first value (the default pipeline). */
  readonly initial?: (values: Readonly<Record<string, string>>) => string;
  /** The field whose value this one's choices depend on. */
  readonly dependsOn?: string;
}

/**
 * A "New record" form from a list of fields: empty inputs are left out of the body, numbers sent as
 * numbers, and the API's field errors shown next to their inputs (the rest above the form).
 */
export function CreateForm({
  fields,
  submit,
  onCreated,
}: {
  readonly fields: readonly FormField[];
  readonly submit: (body: Record<string, string | number>) => Promise<{ id: string }>;
  readonly onCreated: (id: string) => void;
}) {
  const [values, setValues] = useState<Record<string, string>>(() => {
    const start: Record<string, string> = {};
    for (const field of fields) start[field.name] = field.initial?.(start) ?? '';
    return start;
  });
  const create = useAction(async () => {
    const body: Record<string, string | number> = {};
    for (const field of fields) {
      const value = (values[field.name] ?? '').trim();
      if (value === '') continue;
      const number = field.type === 'number' ? parseLocalNumber(value, locale()) : Number.NaN;
      // A number typed in the user's locale; anything else as typed, for the API's error.
      body[field.name] = Number.isNaN(number) ? value : number;
    }
    const record = await submit(body);
    onCreated(record.id);
  });
  const set = (name: string, value: string) =>
    setValues((previous) => {
      const next = { ...previous, [name]: value };
      // A field whose choices depend on this one starts again from its first choice.
      for (const field of fields)
        if (field.dependsOn === name && field.initial) next[field.name] = field.initial(next);
      return next;
    });
  return (
    <form
      class="create-form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void create.run();
      }}
    >
      <ProblemBanner problem={create.problem} shownPaths={fields.map((field) => field.name)} />
      {fields.map((field) => (
        <Field
          key={field.name}
          label={`${field.label()}${field.required ? ' *' : ''}`}
          path={field.name}
          problem={create.problem}
        >
          {(control) =>
            field.type === 'select' ? (
              <select
                {...control}
                value={values[field.name] ?? ''}
                onChange={(event) => set(field.name, (event.target as HTMLSelectElement).value)}
              >
                {!field.required && <option value="">{t('common.none')}</option>}
                {(field.options?.(values) ?? []).map((option) => (
                  <option key={option.value} value={option.value}>
                    {option.label}
                  </option>
                ))}
              </select>
            ) : (
              <input
                {...control}
                type={(field.type ?? 'text') as 'text'}
                required={field.required}
                value={values[field.name] ?? ''}
                onInput={(event) => set(field.name, (event.target as HTMLInputElement).value)}
              />
            )
          }
        </Field>
      ))}
      <div class="actions">
        <button type="submit" class="button button-primary" disabled={create.busy}>
          {create.busy ? t('common.saving') : t('common.create')}
        </button>
        {create.busy && <Spinner />}
      </div>
    </form>
  );
}
