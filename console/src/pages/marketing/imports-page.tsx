import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, asProblem, ok } from '../../api/client.ts';
import type { ApiProblem } from '../../api/problem.ts';
import { BASE } from '../../config.ts';
import { formatDate, formatNumber } from '../../i18n/format.ts';
import { addMessages, t } from '../../i18n/index.ts';
import { useAsync } from '../../ui/async.ts';
import { EmptyState, Loading, ProblemBanner, Spinner } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import { PageHeader } from '../../ui/page.tsx';
import { usePolling } from '../../ui/poll.ts';
import { csvRecords } from './csv.ts';
import { messages } from './messages.ts';
import type { ImportEntity, ImportJob } from './types.ts';
import { uploadFile } from './upload.ts';
import './marketing.css';
import { TableWrap } from '../../ui/table-wrap.tsx';

addMessages(messages);

const entities: readonly ImportEntity[] = ['contacts', 'companies', 'leads', 'deals'];

/**
 * `/app/imports`: pick a CSV and what it holds, POST /imports for a presigned upload URL, PUT the
 * file there with a progress bar, then follow GET /imports/{id} until it is done and show the
 * error report. `?id=` opens a past import.
 */
export function ImportsPage() {
  const { query, route } = useLocation();
  const openId = query.id;
  const history = useAsync(() => ok(api().GET('/imports', { params: { query: { limit: '50' } } })), []);
  return (
    <section>
      <PageHeader title={t('marketing.imports.title')} />
      <ImportForm
        onStarted={(id) => {
          route(`${BASE}/imports?id=${encodeURIComponent(id)}`);
          void history.reload();
        }}
      />
      {openId && <ImportProgress key={openId} id={openId} onFinished={() => void history.reload()} />}
      <h2>{t('marketing.imports.history')}</h2>
      <ProblemBanner
        problem={history.status === 'failed' ? history.problem : undefined}
        onRetry={history.reload}
      />
      {!history.data ? (
        history.status === 'loading' && <Loading />
      ) : history.data.items.length === 0 ? (
        <EmptyState title={t('marketing.imports.empty')} />
      ) : (
        <TableWrap label={t('marketing.imports.history')}>
          <table>
            <caption class="visually-hidden">{t('marketing.imports.history')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('marketing.imports.started')}</th>
                <th scope="col">{t('marketing.imports.entity')}</th>
                <th scope="col">{t('marketing.campaign.status')}</th>
                <th scope="col" class="number">
                  {t('marketing.imports.rows')}
                </th>
                <th scope="col" class="number">
                  {t('marketing.imports.created')}
                </th>
                <th scope="col" class="number">
                  {t('marketing.imports.failed')}
                </th>
              </tr>
            </thead>
            <tbody>
              {history.data.items.map((job) => (
                <tr key={job.id}>
                  <td>
                    <a
                      href={`${BASE}/imports?id=${encodeURIComponent(job.id)}`}
                      aria-current={job.id === openId ? 'true' : undefined}
                    >
                      {formatDate(job.createdAt, true)}
                    </a>
                  </td>
                  <td>{t(`marketing.entity.${job.entity}`)}</td>
                  <td>{t(`marketing.importStatus.${job.status}`)}</td>
                  <td class="number">{formatNumber(job.totalRows)}</td>
                  <td class="number">{formatNumber(job.created)}</td>
                  <td class="number">{formatNumber(job.failed)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}

function ImportForm({ onStarted }: { readonly onStarted: (id: string) => void }) {
  const [entity, setEntity] = useState<ImportEntity>('contacts');
  const [mode, setMode] = useState<'create' | 'upsert'>('create');
  const [file, setFile] = useState<File | undefined>();
  const [uploaded, setUploaded] = useState<number | undefined>();
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const start = async () => {
    if (!file) return;
    setProblem(undefined);
    setUploaded(0);
    try {
      const job = await ok(api().POST('/imports', { body: { entity, mode } }));
      if (file.size > job.maxBytes)
        throw new Error(t('marketing.imports.tooBig', { max: formatNumber(job.maxBytes / 1024 / 1024) }));
      await uploadFile(job.uploadUrl, file, setUploaded);
      onStarted(job.id);
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setUploaded(undefined);
    }
  };
  const busy = uploaded !== undefined;
  return (
    <form
      class="card narrow"
      onSubmit={(event) => {
        event.preventDefault();
        void start();
      }}
    >
      <h2>{t('marketing.imports.new')}</h2>
      <Field label={t('marketing.imports.file')} help={t('marketing.imports.fileHelp')}>
        {(control) => (
          <input
            {...control}
            type="file"
            accept=".csv,text/csv,text/plain"
            required
            onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0])}
          />
        )}
      </Field>
      <Field label={t('marketing.imports.entity')} path="entity" problem={problem}>
        {(control) => (
          <select
            {...control}
            value={entity}
            onChange={(e) => setEntity((e.target as HTMLSelectElement).value as ImportEntity)}
          >
            {entities.map((value) => (
              <option key={value} value={value}>
                {t(`marketing.entity.${value}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field
        label={t('marketing.imports.mode')}
        help={t('marketing.imports.modeHelp')}
        path="mode"
        problem={problem}
      >
        {(control) => (
          <select
            {...control}
            value={mode}
            onChange={(e) => setMode((e.target as HTMLSelectElement).value as 'create' | 'upsert')}
          >
            <option value="create">{t('marketing.imports.mode.create')}</option>
            <option value="upsert">{t('marketing.imports.mode.upsert')}</option>
          </select>
        )}
      </Field>
      <ProblemBanner problem={problem} shownPaths={['entity', 'mode']} />
      {busy && (
        <label class="progress-label">
          {t('marketing.imports.uploading', { percent: Math.round((uploaded ?? 0) * 100) })}
          <progress max={1} value={uploaded} />
        </label>
      )}
      <div class="actions">
        <button type="submit" class="button button-primary" disabled={busy || !file}>
          {t('marketing.imports.start')}
        </button>
        {busy && <Spinner />}
      </div>
    </form>
  );
}

const finished = (job: ImportJob | undefined) => job?.status === 'done' || job?.status === 'failed';

/** One import as it runs: rows processed of the total, then the counts and the error report. */
function ImportProgress({ id, onFinished }: { readonly id: string; readonly onFinished: () => void }) {
  const job = useAsync(async () => {
    const current = await ok(api().GET('/imports/{id}', { params: { path: { id } } }));
    if (finished(current)) onFinished();
    return current;
  }, [id]);
  const data = job.data;
  usePolling(job.reload, 1000, !!data && !finished(data));
  if (job.status === 'failed' && !data) return <ProblemBanner problem={job.problem} onRetry={job.reload} />;
  if (!data) return <Loading />;
  const done = finished(data);
  return (
    <section class="card" aria-labelledby="import-title">
      <h2 id="import-title">
        {t('marketing.imports.one', {
          entity: t(`marketing.entity.${data.entity}`),
          at: formatDate(data.createdAt, true),
        })}
      </h2>
      <p role="status">
        <strong>{t(`marketing.importStatus.${data.status}`)}</strong>
        {data.error ? ` — ${data.error}` : ''}
      </p>
      {!done && (
        <label class="progress-label">
          {t('marketing.imports.progress', {
            done: formatNumber(data.processedRows),
            total: data.totalRows ? formatNumber(data.totalRows) : '…',
          })}
          <progress max={data.totalRows || 1} value={data.totalRows ? data.processedRows : undefined} />
          <Spinner />
        </label>
      )}
      <dl class="facts">
        {(['totalRows', 'processedRows', 'created', 'updated', 'skipped', 'failed'] as const).map((key) => (
          <div key={key}>
            <dt>{t(`marketing.imports.count.${key}`)}</dt>
            <dd data-count={key}>{formatNumber(data[key])}</dd>
          </div>
        ))}
      </dl>
      {done && data.errorsUrl && <ErrorReport url={data.errorsUrl} />}
    </section>
  );
}

/** The bad rows (the API's error CSV: row, column, value, reason), with the file to download. */
function ErrorReport({ url }: { readonly url: string }) {
  const report = useAsync(async () => {
    const response = await fetch(url);
    if (!response.ok) throw new Error(t('marketing.imports.reportMissing'));
    return csvRecords(await response.text());
  }, [url]);
  return (
    <>
      <h3>{t('marketing.imports.errors')}</h3>
      <p>
        <a href={url} download="import-errors.csv">
          {t('marketing.imports.download')}
        </a>
      </p>
      <ProblemBanner
        problem={report.status === 'failed' ? report.problem : undefined}
        onRetry={report.reload}
      />
      {report.data && report.data.length > 0 && (
        <TableWrap label={t('marketing.imports.errors')}>
          <table>
            <caption class="visually-hidden">{t('marketing.imports.errors')}</caption>
            <thead>
              <tr>
                <th scope="col" class="number">
                  {t('marketing.imports.row')}
                </th>
                <th scope="col">{t('marketing.imports.column')}</th>
                <th scope="col">{t('marketing.imports.value')}</th>
                <th scope="col">{t('marketing.imports.reason')}</th>
              </tr>
            </thead>
            <tbody>
              {report.data.map((error, index) => (
                <tr key={`${error.row}-${index}`}>
                  <td class="number">{error.row}</td>
                  <td>{error.column}</td>
                  <td>{error.value}</td>
                  <td>{error.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </>
  );
}
