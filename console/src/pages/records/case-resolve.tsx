import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client.ts';
import { t } from '../../i18n/index.ts';
import { useAction } from '../../ui/async.ts';
import { Dialog } from '../../ui/dialog.tsx';
import { ProblemBanner, Spinner } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';

/**
 * Resolves a case with a resolution text (`POST /cases/{id}/resolve`, If-Match its version);
 * afterwards shows the satisfaction link the API returns, to send to the customer.
 */
export function ResolveCaseButton({
  caseId,
  version,
  subject,
  onResolved,
}: {
  readonly caseId: string;
  readonly version: number;
  readonly subject?: string;
  readonly onResolved: () => void;
}) {
  const [open, setOpen] = useState(false);
  const [resolution, setResolution] = useState('');
  const [csatUrl, setCsatUrl] = useState<string | null | undefined>();
  const resolve = useAction(async () => {
    const result = await ok(
      api().POST('/cases/{id}/resolve', {
        params: { path: { id: caseId }, header: { 'If-Match': `"${version}"` } },
        body: { resolution: resolution.trim() },
      }),
    );
    setCsatUrl(result.csatUrl);
  });
  const close = () => {
    setOpen(false);
    if (csatUrl !== undefined) onResolved();
  };
  return (
    <>
      <button
        type="button"
        class="button"
        onClick={() => setOpen(true)}
        {...(subject ? { 'aria-label': `${t('records.resolve')}: ${subject}` } : {})}
      >
        {t('records.resolve')}
      </button>
      <Dialog open={open} title={t('records.resolveTitle')} onClose={close}>
        {csatUrl === undefined ? (
          <form
            onSubmit={(event) => {
              event.preventDefault();
              void resolve.run();
            }}
          >
            <Field label={t('records.resolution')} path="resolution" problem={resolve.problem}>
              {(ids) => (
                <textarea
                  {...ids}
                  required
                  rows={3}
                  value={resolution}
                  onInput={(event) => setResolution(event.currentTarget.value)}
                />
              )}
            </Field>
            <ProblemBanner problem={resolve.problem} shownPaths={['resolution']} />
            <div class="actions">
              <button type="submit" class="button button-primary" disabled={resolve.busy}>
                {t('records.resolve')}
              </button>
              <button type="button" class="button" onClick={close}>
                {t('common.cancel')}
              </button>
              {resolve.busy && <Spinner label={t('common.saving')} />}
            </div>
          </form>
        ) : (
          <div>
            <p role="status">{t('records.resolved')}</p>
            {csatUrl && (
              <p>
                {t('records.csatLink')}: <a href={csatUrl}>{csatUrl}</a>
              </p>
            )}
            <div class="actions">
              <button type="button" class="button button-primary" onClick={close}>
                {t('common.close')}
              </button>
            </div>
          </div>
        )}
      </Dialog>
    </>
  );
}
