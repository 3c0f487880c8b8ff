import { useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { api, ok } from '../../api/client.ts';
import { formatDate, formatMoney } from '../../i18n/format.ts';
import { addMessages, t } from '../../i18n/index.ts';
import { useAsync } from '../../ui/async.ts';
import { EmptyState, ProblemBanner, Spinner } from '../../ui/feedback.tsx';
import { ResolveCaseButton } from './case-resolve.tsx';
import { enumLabel, type RecordData } from './entities.ts';
import { InlineField } from './inline-field.tsx';
import { LeadConvert } from './lead-convert.tsx';
import { messages } from './messages.ts';
import './records.css';
import { type RecordContext, RecordPage } from './record-page.tsx';
import { RelatedList, recordHref } from './related.tsx';
import { SlaBadge, type SlaCase } from './sla.tsx';

addMessages(messages);

/** The `:id` of the current route. */
function useRecordId(): string {
  const { params } = useRoute();
  return params.id ?? '';
}

const text = (record: RecordData, key: string): string | undefined =>
  typeof record[key] === 'string' ? (record[key] as string) : undefined;

async function companyLink(id: string) {
  const company = await ok(api().GET('/companies/{id}', { params: { path: { id } } }));
  return { href: recordHref('companies', id), label: company.name };
}

async function contactLink(id: string) {
  const contact = await ok(api().GET('/contacts/{id}', { params: { path: { id } } }));
  return {
    href: recordHref('contacts', id),
    label: [contact.firstName, contact.lastName].filter(Boolean).join(' '),
  };
}

async function casesOf(query: { contactId: string } | { companyId: string }) {
  const page = await ok(api().GET('/cases', { params: { query: { ...query, limit: '20' } } }));
  return page.items.map((item) => ({
    href: recordHref('cases', item.id),
    label: item.subject,
    note: enumLabel(item.status),
  }));
}

export function ContactPage() {
  const id = useRecordId();
  return (
    <RecordPage entity="contacts" id={id}>
      {({ record }) => {
        const companyId = text(record, 'companyId');
        return (
          <section class="card" aria-labelledby="record-related">
            <h2 id="record-related">{t('records.related')}</h2>
            <RelatedList
              title={t('records.company')}
              load={async () => (companyId ? [await companyLink(companyId)] : [])}
              deps={[companyId]}
            />
            <RelatedList title={t('records.cases')} load={() => casesOf({ contactId: id })} deps={[id]} />
          </section>
        );
      }}
    </RecordPage>
  );
}

export function CompanyPage() {
  const id = useRecordId();
  return (
    <RecordPage entity="companies" id={id}>
      {() => (
        <section class="card" aria-labelledby="record-related">
          <h2 id="record-related">{t('records.related')}</h2>
          <RelatedList
            title={t('records.contacts')}
            load={async () =>
              (
                await ok(api().GET('/contacts', { params: { query: { companyId: id, limit: '50' } } }))
              ).items.map((contact) => ({
                href: recordHref('contacts', contact.id),
                label: [contact.firstName, contact.lastName].filter(Boolean).join(' '),
                ...(contact.email ? { note: contact.email } : {}),
              }))
            }
            deps={[id]}
          />
          <RelatedList
            title={t('records.deals')}
            load={async () =>
              (
                await ok(api().GET('/deals', { params: { query: { companyId: id, limit: '50' } } }))
              ).items.map((deal) => ({
                href: recordHref('deals', deal.id),
                label: deal.name,
                note: `${enumLabel(deal.status)}${deal.amount !== undefined ? ` · ${formatMoney(deal.amount, deal.currency)}` : ''}`,
              }))
            }
            deps={[id]}
          />
          <RelatedList title={t('records.cases')} load={() => casesOf({ companyId: id })} deps={[id]} />
        </section>
      )}
    </RecordPage>
  );
}

export function LeadPage() {
  const id = useRecordId();
  return (
    <RecordPage
      entity="leads"
      id={id}
      actions={({ record, reload, writable }) =>
        writable && record.status !== 'converted' && !record.archived ? (
          <LeadConvert leadId={id} onConverted={reload} />
        ) : null
      }
    >
      {({ record }) => {
        const contactId = text(record, 'contactId');
        const dealId = text(record, 'dealId');
        const companyId = text(record, 'companyId');
        if (record.status !== 'converted' && !contactId) return null;
        return (
          <section class="card" aria-labelledby="record-related">
            <h2 id="record-related">{t('records.related')}</h2>
            <p>
              {t('records.converted')}{' '}
              {record.convertedAt ? formatDate(String(record.convertedAt), true) : ''}
            </p>
            <ul>
              {contactId && (
                <li>
                  <a href={recordHref('contacts', contactId)}>{t('records.openContact')}</a>
                </li>
              )}
              {dealId && (
                <li>
                  <a href={recordHref('deals', dealId)}>{t('records.openDeal')}</a>
                </li>
              )}
              {companyId && (
                <li>
                  <a href={recordHref('companies', companyId)}>{t('records.company')}</a>
                </li>
              )}
            </ul>
          </section>
        );
      }}
    </RecordPage>
  );
}

export function DealPage() {
  const id = useRecordId();
  return (
    <RecordPage entity="deals" id={id}>
      {(context) => <DealExtras context={context} />}
    </RecordPage>
  );
}

function DealExtras({ context }: { readonly context: RecordContext }) {
  const { record, save, generation, writable } = context;
  const pipelineId = text(record, 'pipelineId') ?? '';
  const stageId = text(record, 'stageId') ?? '';
  const companyId = text(record, 'companyId');
  const contactIds = Array.isArray(record.contactIds) ? (record.contactIds as string[]) : [];
  const pipeline = useAsync(
    () => ok(api().GET('/pipelines/{id}', { params: { path: { id: pipelineId } } })),
    [pipelineId],
  );
  const quotes = useAsync(
    async () => (await ok(api().GET('/deals/{id}/quotes', { params: { path: { id: record.id } } }))).items,
    [record.id, record.version],
  );
  const stages = pipeline.data?.stages ?? [];
  const stageName = (value: string) => stages.find((stage) => stage.id === value)?.name ?? value;
  return (
    <>
      <section class="card" aria-labelledby="deal-stage">
        <h2 id="deal-stage">{pipeline.data?.name ?? t('records.stage')}</h2>
        {pipeline.status === 'failed' && <ProblemBanner problem={pipeline.problem} />}
        <dl class="record-fields" key={`stage-${generation}`}>
          <InlineField
            label={t('records.stage')}
            kind="select"
            value={stageId}
            shown={stageName(stageId)}
            options={stages.map((stage) => stage.id)}
            optionLabel={stageName}
            required
            readOnly={record.archived || !writable || stages.length === 0}
            path="stageId"
            onSave={(value) => save({ stageId: value })}
          />
        </dl>
      </section>
      <section class="card" aria-labelledby="deal-quotes">
        <h2 id="deal-quotes">{t('records.quotes')}</h2>
        {quotes.status === 'loading' && <Spinner />}
        {quotes.status === 'failed' && <ProblemBanner problem={quotes.problem} onRetry={quotes.reload} />}
        {quotes.status === 'ready' &&
          (quotes.data.length === 0 ? (
            <EmptyState title={t('records.quotesEmpty')} />
          ) : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('records.quoteNumber')}</th>
                    <th scope="col">{t('records.quoteStatus')}</th>
                    <th scope="col" class="number">
                      {t('records.quoteTotal')}
                    </th>
                    <th scope="col">{t('records.quoteValid')}</th>
                  </tr>
                </thead>
                <tbody>
                  {quotes.data.map((quote) => (
                    <tr key={quote.id}>
                      <td>{quote.number ?? quote.id}</td>
                      <td>{enumLabel(quote.status)}</td>
                      <td class="number">{formatMoney(quote.total, quote.currency)}</td>
                      <td>{formatDate(quote.validUntil)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
      </section>
      <section class="card" aria-labelledby="record-related">
        <h2 id="record-related">{t('records.related')}</h2>
        <RelatedList
          title={t('records.company')}
          load={async () => (companyId ? [await companyLink(companyId)] : [])}
          deps={[companyId]}
        />
        <RelatedList
          title={t('records.contacts')}
          load={() => Promise.all(contactIds.slice(0, 20).map(contactLink))}
          deps={[contactIds.join(',')]}
        />
      </section>
    </>
  );
}

export function CasePage() {
  const id = useRecordId();
  const [, setResolvedAt] = useState(0);
  return (
    <RecordPage
      entity="cases"
      id={id}
      actions={({ record, reload, writable }) =>
        writable && record.status !== 'resolved' && record.status !== 'closed' && !record.archived ? (
          <ResolveCaseButton
            caseId={id}
            version={record.version}
            onResolved={() => {
              setResolvedAt(Date.now());
              void reload();
            }}
          />
        ) : null
      }
    >
      {({ record }) => {
        const contactId = text(record, 'contactId');
        const companyId = text(record, 'companyId');
        return (
          <>
            <section class="card" aria-labelledby="case-sla">
              <h2 id="case-sla">{t('records.sla')}</h2>
              <p>
                <SlaBadge item={record as unknown as SlaCase} />
              </p>
              {typeof record.resolution === 'string' && (
                <p>
                  {t('records.resolution')}: {record.resolution}
                </p>
              )}
            </section>
            <section class="card" aria-labelledby="record-related">
              <h2 id="record-related">{t('records.related')}</h2>
              <RelatedList
                title={t('records.contact')}
                load={async () => (contactId ? [await contactLink(contactId)] : [])}
                deps={[contactId]}
              />
              <RelatedList
                title={t('records.company')}
                load={async () => (companyId ? [await companyLink(companyId)] : [])}
                deps={[companyId]}
              />
            </section>
          </>
        );
      }}
    </RecordPage>
  );
}
