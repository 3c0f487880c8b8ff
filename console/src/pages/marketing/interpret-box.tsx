import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client.ts';
import { formatNumber } from '../../i18n/format.ts';
import { t, useLang } from '../../i18n/index.ts';
import { useAction } from '../../ui/async.ts';
import { ProblemBanner, Spinner } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import type { Interpretation } from './types.ts';

/**
 * "Describe the contacts in your own words": POST /segments/interpret turns the sentence into a
 * filter, says how it read it and what it could not, and counts the matches; "Use this filter"
 * hands the filter to the builder.
 */
export function InterpretBox({ onUse }: { readonly onUse: (filter: Record<string, unknown>) => void }) {
  const lang = useLang();
  const [text, setText] = useState('');
  const [result, setResult] = useState<Interpretation | undefined>();
  const interpret = useAction(async (sentence: string) =>
    setResult(await ok(api().POST('/segments/interpret', { body: { text: sentence, lang } }))),
  );
  return (
    <section class="card interpret" aria-labelledby="interpret-title">
      <h2 id="interpret-title">{t('marketing.interpret.title')}</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (text.trim()) void interpret.run(text.trim());
        }}
      >
        <Field
          label={t('marketing.interpret.label')}
          help={t('marketing.interpret.help')}
          path="text"
          problem={interpret.problem}
        >
          {(control) => (
            <input
              {...control}
              type="text"
              value={text}
              onInput={(e) => setText((e.target as HTMLInputElement).value)}
            />
          )}
        </Field>
        <div class="actions">
          <button type="submit" class="button" disabled={interpret.busy || !text.trim()}>
            {t('marketing.interpret.run')}
          </button>
          {interpret.busy && <Spinner />}
        </div>
      </form>
      <ProblemBanner problem={interpret.problem} shownPaths={['text']} />
      {result && (
        <div class="interpretation" aria-live="polite">
          {result.explanation.length > 0 && (
            <>
              <h3>{t('marketing.interpret.understood')}</h3>
              <ul>
                {result.explanation.map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            </>
          )}
          {result.unmatched.length > 0 && (
            <p>
              <strong>{t('marketing.interpret.unmatched')}</strong>{' '}
              {result.unmatched.map((word) => (
                <span key={word} class="chip">
                  {word}
                </span>
              ))}
            </p>
          )}
          {result.filter ? (
            <p>
              <strong>{t('marketing.interpret.count', { count: formatNumber(result.count ?? 0) })}</strong>{' '}
              <button
                type="button"
                class="button button-primary"
                onClick={() => result.filter && onUse(result.filter)}
              >
                {t('marketing.interpret.use')}
              </button>
            </p>
          ) : (
            <p>{t('marketing.interpret.nothing')}</p>
          )}
          {result.suggestion && (
            <p>
              {t('marketing.interpret.suggestion', { count: formatNumber(result.suggestion.count) })}{' '}
              <button
                type="button"
                class="button"
                onClick={() => result.suggestion && onUse(result.suggestion.filter)}
              >
                {t('marketing.interpret.useSuggestion')}
              </button>
            </p>
          )}
        </div>
      )}
    </section>
  );
}
