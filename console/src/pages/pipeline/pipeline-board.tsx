import { useCallback, useMemo, useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { BASE } from '../../config.ts';
import { formatNumber } from '../../i18n/format.ts';
import { addMessages, t, useLang } from '../../i18n/index.ts';
import { useAsync } from '../../ui/async.ts';
import { EmptyState, Loading, ProblemBanner } from '../../ui/feedback.tsx';
import { PageHeader } from '../../ui/page.tsx';
import { BoardColumn } from './board-column.tsx';
import { type Deal, loadBoard } from './board-data.ts';
import { useDealMoves } from './deal-moves.ts';
import { messages } from './messages.ts';
import { MoveDialog, type MoveRequest } from './move-dialog.tsx';
import './board.css';

addMessages(messages);

/** `/app/pipeline[/:id]`: the kanban board of one pipeline's open deals, a column per stage. */
export function PipelineBoard() {
  useLang();
  const { params } = useRoute();
  const { route } = useLocation();
  const state = useAsync(() => loadBoard(params.id), [params.id]);
  const data = state.data;
  const stages = data?.pipeline?.stages ?? [];
  const { deals, pending, move, announcement, notice, dismissNotice } = useDealMoves(data?.deals, stages);
  const [request, setRequest] = useState<MoveRequest | undefined>();

  const byStage = useMemo(() => {
    const groups = new Map<string, Deal[]>(stages.map((stage) => [stage.id, []]));
    for (const deal of deals) groups.get(deal.stageId)?.push(deal);
    return groups;
  }, [deals, stages]);

  const requestMove = useCallback(
    (deal: Deal, stageId: string) => {
      // Entering a lost stage needs a reason: the dialog asks before anything is sent.
      if (stages.find((stage) => stage.id === stageId)?.kind === 'lost') setRequest({ deal, stageId });
      else void move(deal, stageId);
    },
    [move, stages],
  );
  const onDrop = useCallback(
    (dealId: string, stageId: string) => {
      const deal = deals.find((candidate) => candidate.id === dealId);
      if (deal && deal.stageId !== stageId && !pending.has(dealId)) requestMove(deal, stageId);
    },
    [deals, pending, requestMove],
  );

  return (
    <section class="pipeline-page">
      <PageHeader title={t('pipeline.title')}>
        {data && data.pipelines.length > 1 && (
          <label class="pipeline-choice">
            <span>{t('pipeline.choose')}</span>
            <select
              value={data.pipeline?.id ?? ''}
              onChange={(event) => route(`${BASE}/pipeline/${(event.target as HTMLSelectElement).value}`)}
            >
              {data.pipelines.map((pipeline) => (
                <option key={pipeline.id} value={pipeline.id}>
                  {pipeline.name}
                </option>
              ))}
            </select>
          </label>
        )}
      </PageHeader>
      <div class="visually-hidden" aria-live="polite" aria-atomic="true">
        {announcement}
      </div>
      {state.status === 'failed' && <ProblemBanner problem={state.problem} onRetry={state.reload} />}
      {!data && state.status === 'loading' && <Loading />}
      {data && !data.pipeline && (
        <EmptyState title={params.id ? t('common.notFound') : t('pipeline.noPipelines')} />
      )}
      {data?.pipeline && (
        <>
          <p class="muted">{t('pipeline.dragHelp')}</p>
          {data.capped && (
            <p class="banner banner-info">
              {t('pipeline.capped', { count: formatNumber(data.deals.length) })}
            </p>
          )}
          {notice && (
            <div class="banner banner-error board-notice">
              <p>{notice}</p>
              <button type="button" class="button button-quiet" onClick={dismissNotice}>
                {t('common.close')}
              </button>
            </div>
          )}
          {deals.length === 0 && (
            <EmptyState title={t('pipeline.noDeals')}>
              <a href={`${BASE}/deals`}>{t('pipeline.dealsLink')}</a>
            </EmptyState>
          )}
          <div class="board">
            {stages.map((stage) => (
              <BoardColumn
                key={stage.id}
                stage={stage}
                deals={byStage.get(stage.id) ?? []}
                pending={pending}
                onDrop={onDrop}
                onMoveTo={(deal) => setRequest({ deal, stageId: deal.stageId })}
              />
            ))}
          </div>
          <MoveDialog request={request} stages={stages} onMove={move} onClose={() => setRequest(undefined)} />
        </>
      )}
    </section>
  );
}
