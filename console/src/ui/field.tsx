import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';
import type { ApiProblem } from '../api/problem.ts';

/**
 * A labelled input with its help text and the API's error for its path, wired with
 * aria-describedby/aria-invalid so screen readers read the error with the field. `children` gets
 * the ids to put on the control.
 */
export function Field({
  label,
  path,
  problem,
  help,
  children,
}: {
  readonly label: string;
  /** The field's path in the API's problem+json errors (`email`, `customFields.size`). */
  readonly path?: string;
  readonly problem?: ApiProblem;
  readonly help?: string;
  readonly children: (control: {
    id: string;
    'aria-describedby'?: string;
    'aria-invalid'?: boolean;
  }) => ComponentChildren;
}) {
  const id = useId();
  const error = path ? problem?.fieldError(path) : undefined;
  const described = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class={`field${error ? ' field-invalid' : ''}`}>
      <label for={id}>{label}</label>
      {children({
        id,
        ...(described ? { 'aria-describedby': described } : {}),
        ...(error ? { 'aria-invalid': true } : {}),
      })}
      {help && (
        <p class="field-help" id={`${id}-help`}>
          {help}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}
