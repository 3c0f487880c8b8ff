import { useEffect, useState } from 'preact/hooks';
import type { ApiProblem } from '../../api/problem.ts';
import { t } from '../../i18n/index.ts';
import { Dialog } from '../../ui/dialog.tsx';
import { ProblemBanner } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import type { Deal, Stage } from './board-data.ts';
import type { MoveOutcome } from './deal-moves.ts';

/** The deal schema's limit on `lostReason` (shared/schemas/deals.ts: multiLineText(500)). */
const LOST_REASON_MAX = 500;

export interface MoveRequest {
  readonly deal: Deal;
  /** The stage chosen by a drop; the keyboard's "Move to…" starts at the deal's own stage. */
  readonly stageId: string;
}

/**
 * Moving with the keyboard, and closing as lost from either way: a stage picker and, for a lost
 * stage, the reason the API requires to enter it. Stays open on a refusal to show the error.
 */
export function MoveDialog({
  request,
  stages,
  onMove,
  onClose,
}: {
  readonly request: MoveRequest | undefined;
  readonly stages: readonly Stage[];
  readonly onMove: (deal: Deal, stageId: string, lostReason?: string) => Promise<MoveOutcome>;
  readonly onClose: () => void;
}) {
  const [stageId, setStageId] = useState(request?.stageId ?? '');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setStageId(request?.stageId ?? '');
    setReason('');
    setProblem(undefined);
  }, [request]);
  const lost = stages.find((stage) => stage.id === stageId)?.kind === 'lost';
  const reasonError = problem?.fieldError('lostReason');

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!request) return;
    setBusy(true);
    const outcome = await onMove(request.deal, stageId, lost ? reason.trim() : undefined);
    setBusy(false);
    // A missing or bad reason is fixed here; any other refusal is told on the board.
    if (outcome.problem?.fieldError('lostReason')) setProblem(outcome.problem);
    else onClose();
  };

  return (
    <Dialog
      open={request !== undefined}
      title={request ? t('pipeline.moveTitle', { deal: request.deal.name }) : ''}
      onClose={onClose}
    >
      <form onSubmit={submit} class="move-form">
        <Field label={t('pipeline.stage')}>
          {(control) => (
            <select
              {...control}
              value={stageId}
              onChange={(event) => setStageId((event.target as HTMLSelectElement).value)}
            >
              {stages.map((stage) => (
                <option key={stage.id} value={stage.id}>
                  {stage.kind === 'open' ? stage.name : `${stage.name} (${t(`pipeline.kind.${stage.kind}`)})`}
                </option>
              ))}
            </select>
          )}
        </Field>
        {lost && (
          <Field
            label={t('pipeline.lostReason')}
            help={t('pipeline.lostReasonHelp')}
            path="lostReason"
            problem={problem}
          >
            {(control) => (
              <textarea
                {...control}
                required
                rows={3}
                maxLength={LOST_REASON_MAX}
                value={reason}
                onInput={(event) => setReason((event.target as HTMLTextAreaElement).value)}
              />
            )}
          </Field>
        )}
        {problem && !reasonError && <ProblemBanner problem={problem} shownPaths={['lostReason']} />}
        <div class="actions">
          <button type="submit" class="button button-primary" disabled={busy}>
            {t('pipeline.move')}
          </button>
          <button type="button" class="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
