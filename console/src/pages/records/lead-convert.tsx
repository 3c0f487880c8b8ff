import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, ok } from '../../api/client.ts';
import { locale, t } from '../../i18n/index.ts';
import { useAction } from '../../ui/async.ts';
import { Dialog } from '../../ui/dialog.tsx';
import { ProblemBanner, Spinner } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import { parseLocalNumber } from '../../ui/parse-number.ts';
import { recordHref } from './related.tsx';

/**
 * Converts a lead (`POST /leads/{id}/convert`): a contact and its company, and a deal when one is
 * named; then opens the new deal, or the new contact.
 */
export function LeadConvert({
  leadId,
  onConverted,
}: {
  readonly leadId: string;
  readonly onConverted: () => Promise<void>;
}) {
  const { route } = useLocation();
  const [open, setOpen] = useState(false);
  const [dealName, setDealName] = useState('');
  const [amount, setAmount] = useState('');
  const convert = useAction(async () => {
    const value = parseLocalNumber(amount, locale());
    const result = await ok(
      api().POST('/leads/{id}/convert', {
        params: { path: { id: leadId } },
        body: dealName.trim()
          ? {
              deal: {
                name: dealName.trim(),
                // Text that is no number goes as typed: the API's error shows under the input.
                ...(amount.trim()
                  ? { amount: Number.isNaN(value) ? (amount.trim() as unknown as number) : value }
                  : {}),
              },
            }
          : {},
      }),
    );
    setOpen(false);
    await onConverted();
    route(result.deal ? recordHref('deals', result.deal.id) : recordHref('contacts', result.contact.id));
  });
  return (
    <>
      <button type="button" class="button button-primary" onClick={() => setOpen(true)}>
        {t('records.convert')}
      </button>
      <Dialog open={open} title={t('records.convertTitle')} onClose={() => setOpen(false)}>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void convert.run();
          }}
        >
          <p>{t('records.convertHelp')}</p>
          <Field label={t('records.convertDealName')} path="deal.name" problem={convert.problem}>
            {(ids) => (
              <input {...ids} value={dealName} onInput={(event) => setDealName(event.currentTarget.value)} />
            )}
          </Field>
          <Field label={t('records.convertDealAmount')} path="deal.amount" problem={convert.problem}>
            {(ids) => (
              <input
                {...ids}
                inputMode="decimal"
                value={amount}
                onInput={(event) => setAmount(event.currentTarget.value)}
              />
            )}
          </Field>
          <ProblemBanner problem={convert.problem} shownPaths={['deal.name', 'deal.amount']} />
          <div class="actions">
            <button type="submit" class="button button-primary" disabled={convert.busy}>
              {t('records.convert')}
            </button>
            <button type="button" class="button" onClick={() => setOpen(false)}>
              {t('common.cancel')}
            </button>
            {convert.busy && <Spinner label={t('common.saving')} />}
          </div>
        </form>
      </Dialog>
    </>
  );
}
