import type { ApiProblem } from '../api/problem.ts';
import { t } from '../i18n/index.ts';
import { Dialog } from './dialog.tsx';
import { ProblemBanner, Spinner } from './feedback.tsx';

/**
 * "Are you sure?" before an action the API cannot undo (delete, send, cancel): the question, the
 * API's refusal if the action failed, the action's button (red when `danger`) and a way back.
 */
export function ConfirmDialog({
  open,
  title,
  body,
  confirmLabel,
  backLabel = t('common.cancel'),
  danger = false,
  busy,
  problem,
  onConfirm,
  onClose,
}: {
  readonly open: boolean;
  readonly title: string;
  readonly body: string;
  readonly confirmLabel: string;
  readonly backLabel?: string;
  readonly danger?: boolean;
  readonly busy: boolean;
  readonly problem: ApiProblem | undefined;
  readonly onConfirm: () => void;
  readonly onClose: () => void;
}) {
  return (
    <Dialog open={open} title={title} onClose={onClose}>
      <p>{body}</p>
      <ProblemBanner problem={problem} />
      <div class="actions">
        <button
          type="button"
          class={`button ${danger ? 'button-danger' : 'button-primary'}`}
          disabled={busy}
          onClick={onConfirm}
        >
          {confirmLabel}
        </button>
        <button type="button" class="button" onClick={onClose}>
          {backLabel}
        </button>
        {busy && <Spinner />}
      </div>
    </Dialog>
  );
}
