import type { ComponentChildren } from 'preact';
import type { ApiProblem } from '../api/problem.ts';
import { t } from '../i18n/index.ts';

/** An indeterminate progress indicator with a text for screen readers; shown after a short delay. */
export function Spinner({ label }: { readonly label?: string }) {
  return (
    <span class="spinner" role="status">
      <span class="spinner-dot" aria-hidden="true" />
      <span class="visually-hidden">{label ?? t('common.loading')}</span>
    </span>
  );
}

/** A page-level loading block. */
export function Loading({ label }: { readonly label?: string }) {
  return (
    <div class="loading">
      <Spinner label={label} />
      <span aria-hidden="true">{label ?? t('common.loading')}</span>
    </div>
  );
}

/** What to do when a list is empty: a sentence and, usually, the action that fills it. */
export function EmptyState({
  title,
  children,
}: {
  readonly title: string;
  readonly children?: ComponentChildren;
}) {
  return (
    <div class="empty">
      <p class="empty-title">{title}</p>
      {children}
    </div>
  );
}

/**
 * The problem's words for a person, in the console's language. The API speaks English only, so
 * statuses with a generic meaning (a form's field errors, a refusal, a missing record, a stale
 * version, a server fault) get the console's own sentence; other details are specific and shown.
 */
export function problemMessage(problem: ApiProblem): string {
  if (problem.status === 0) return t('common.networkError');
  if (problem.status === 400 && problem.errors.length > 0) return t('common.invalid');
  if (problem.status === 403) return t('common.forbidden');
  if (problem.status === 404) return t('common.notFound');
  if (problem.status === 412) return t('common.stale');
  if (problem.status >= 500) return t('common.error');
  return problem.detail || problem.title || t('common.error');
}

/**
 * A failed request above a form or list, with the field errors no input shows (so none is lost)
 * and an optional retry.
 */
export function ProblemBanner({
  problem,
  shownPaths = [],
  onRetry,
}: {
  readonly problem: ApiProblem | undefined;
  readonly shownPaths?: readonly string[];
  readonly onRetry?: () => void;
}) {
  if (!problem) return null;
  const others = problem.otherErrors(shownPaths);
  return (
    <div class="banner banner-error" role="alert">
      <p>{problemMessage(problem)}</p>
      {others.length > 0 && (
        <ul>
          {others.map((error) => (
            <li key={error.path}>
              <code>{error.path}</code>: {error.message}
            </li>
          ))}
        </ul>
      )}
      {onRetry && (
        <button type="button" class="button" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}
