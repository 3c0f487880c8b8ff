import { BASE } from '../../config.ts';
import { t } from '../../i18n/index.ts';
import { useAsync } from '../../ui/async.ts';
import { ProblemBanner, Spinner } from '../../ui/feedback.tsx';

export interface RelatedLink {
  readonly href: string;
  readonly label: string;
  readonly note?: string;
}

/** A record's page address. */
export const recordHref = (entity: string, id: string): string => `${BASE}/${entity}/${id}`;

/** A titled list of links to related records, loaded when shown. */
export function RelatedList({
  title,
  load,
  deps,
}: {
  readonly title: string;
  readonly load: () => Promise<readonly RelatedLink[]>;
  readonly deps: readonly unknown[];
}) {
  const state = useAsync(load, deps);
  return (
    <div class="related">
      <h3>{title}</h3>
      {state.status === 'loading' && <Spinner />}
      {state.status === 'failed' && <ProblemBanner problem={state.problem} onRetry={state.reload} />}
      {state.status === 'ready' &&
        (state.data.length === 0 ? (
          <p class="muted">{t('records.noRelated')}</p>
        ) : (
          <ul>
            {state.data.map((link) => (
              <li key={link.href}>
                <a href={link.href}>{link.label}</a>
                {link.note && <span class="muted"> · {link.note}</span>}
              </li>
            ))}
          </ul>
        ))}
    </div>
  );
}
