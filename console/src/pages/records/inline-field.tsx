import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiProblem } from '../../api/problem.ts';
import { locale, t } from '../../i18n/index.ts';
import { Spinner } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import { parseLocalNumber } from '../../ui/parse-number.ts';
import { type CustomValue, enumLabel, type InputKind } from './entities.ts';

export interface InlineFieldProps {
  readonly label: string;
  readonly kind: InputKind;
  readonly value: CustomValue | undefined;
  /** The value as shown (money, dates...); the raw value otherwise. */
  readonly shown: string;
  readonly options?: readonly string[];
  /** The words for an option (enum words by default). */
  readonly optionLabel?: (option: string) => string;
  readonly required?: boolean;
  readonly readOnly?: boolean;
  /** The field's path in the API's errors (`email`, `customFields.size`). */
  readonly path: string;
  /** Saves the new value; the problem when it failed (shown next to the input when it names it). */
  readonly onSave: (value: CustomValue) => Promise<ApiProblem | undefined>;
}

/** The editor's text for a value (lists comma-separated, booleans as 'true'/'false'). */
function draftOf(kind: InputKind, value: CustomValue | undefined): string | string[] {
  if (kind === 'multiselect') return Array.isArray(value) ? value : [];
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.join(', ');
  if (kind === 'date' && typeof value === 'string') return value.slice(0, 10);
  // In the user's locale without grouping ("0,5" in Spanish), as parseDraft reads it back.
  if (kind === 'number' && typeof value === 'number')
    return new Intl.NumberFormat(locale(), { useGrouping: false, maximumFractionDigits: 20 }).format(value);
  return String(value);
}

/** The value to send for the editor's text: empty is null (cleared), numbers as numbers. */
export function parseDraft(kind: InputKind, draft: string | string[]): CustomValue {
  if (Array.isArray(draft)) return draft;
  const text = draft.trim();
  if (kind === 'list')
    return text
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean);
  if (text === '') return null;
  if (kind === 'number') {
    // Typed in the user's locale; text that is no number goes as typed, for the API's error.
    const value = parseLocalNumber(text, locale());
    return Number.isNaN(value) ? text : value;
  }
  if (kind === 'boolean') return text === 'true';
  return text;
}

/**
 * One field of a record, read as text and edited in place: its button (click or Enter) opens the
 * input, Enter or Save sends it, Escape or Cancel puts the shown value back. The API's error for
 * the field shows under the input.
 */
export function InlineField(props: InlineFieldProps) {
  const {
    label,
    kind,
    value,
    shown,
    options = [],
    optionLabel = enumLabel,
    required,
    readOnly,
    path,
    onSave,
  } = props;
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<string | string[]>('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const control = useRef<HTMLInputElement & HTMLSelectElement & HTMLTextAreaElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);

  useEffect(() => {
    if (editing) control.current?.focus();
    else if (wasEditing.current) opener.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  const open = () => {
    setDraft(draftOf(kind, value));
    setProblem(undefined);
    setEditing(true);
  };
  const cancel = () => {
    setProblem(undefined);
    setEditing(false);
  };
  const save = async () => {
    setBusy(true);
    const failed = await onSave(parseDraft(kind, draft));
    setBusy(false);
    setProblem(failed);
    if (!failed) setEditing(false);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      cancel();
    } else if (event.key === 'Enter' && (kind !== 'textarea' || event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void save();
    }
  };

  if (!editing)
    return (
      <div class="inline-field">
        <dt>{label}</dt>
        <dd>
          {readOnly ? (
            <span class={shown ? '' : 'muted'}>{shown || t('records.empty')}</span>
          ) : (
            // The name says what the button does and keeps the shown value (WCAG 2.5.3).
            <button type="button" ref={opener} class="inline-value" onClick={open}>
              <span class="visually-hidden">{t('records.editField', { field: label })}: </span>
              <span class={`inline-shown${shown ? '' : ' muted'}`}>{shown || t('records.empty')}</span>
            </button>
          )}
        </dd>
      </div>
    );

  const text = Array.isArray(draft) ? '' : draft;
  const onText = (event: Event) => setDraft((event.currentTarget as HTMLInputElement).value);
  return (
    <div class="inline-field inline-editing">
      <Field label={label} path={path} problem={problem}>
        {(ids) => {
          const common = { ...ids, ref: control, onKeyDown, disabled: busy, required };
          if (kind === 'textarea') return <textarea {...common} rows={4} value={text} onInput={onText} />;
          if (kind === 'select' || kind === 'boolean') {
            const values = kind === 'boolean' ? ['true', 'false'] : options;
            return (
              <select {...common} value={text} onChange={onText}>
                {!required && <option value="">{t('records.empty')}</option>}
                {values.map((option) => (
                  <option key={option} value={option}>
                    {optionLabel(option)}
                  </option>
                ))}
              </select>
            );
          }
          if (kind === 'multiselect')
            return (
              <select
                {...common}
                multiple
                onChange={(event) =>
                  setDraft(
                    [...(event.currentTarget as HTMLSelectElement).selectedOptions].map(
                      (option) => option.value,
                    ),
                  )
                }
              >
                {options.map((option) => (
                  <option
                    key={option}
                    value={option}
                    selected={Array.isArray(draft) && draft.includes(option)}
                  >
                    {option}
                  </option>
                ))}
              </select>
            );
          const type = (kind === 'list' || kind === 'number' ? 'text' : kind) as 'text';
          return (
            <input
              {...common}
              type={type}
              {...(kind === 'number' ? { inputMode: 'decimal' as const } : {})}
              value={text}
              onInput={onText}
            />
          );
        }}
      </Field>
      {kind === 'list' && <p class="field-help">{t('records.listHint')}</p>}
      <div class="inline-actions">
        <button type="button" class="button button-primary" onClick={() => void save()} disabled={busy}>
          {t('common.save')}
        </button>
        <button type="button" class="button" onClick={cancel} disabled={busy}>
          {t('common.cancel')}
        </button>
        {busy && <Spinner label={t('common.saving')} />}
      </div>
      {problem && !problem.fieldError(path) && problem.status !== 412 && (
        <p class="field-error" role="alert">
          {problem.detail || problem.title}
        </p>
      )}
    </div>
  );
}
