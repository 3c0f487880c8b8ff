import { useCallback, useRef, useState } from 'preact/hooks';
import { api, asProblem, ok } from '../../api/client.ts';
import type { ApiProblem } from '../../api/problem.ts';
import { t } from '../../i18n/index.ts';
import { problemMessage } from '../../ui/feedback.tsx';
import { type Deal, dealEtag, type Stage } from './board-data.ts';

export interface MoveOutcome {
  readonly ok: boolean;
  readonly problem?: ApiProblem;
}

/**
 * The board's deals and their moves: a move shows at once, then PATCHes the deal with If-Match;
 * a refusal puts the card back where it was and says why (a 412 also fetches the deal's current
 * version so the next move can succeed). `announcement` is for the aria-live region, `notice`
 * for the visible banner of a refused move.
 */
export function useDealMoves(loaded: readonly Deal[] | undefined, stages: readonly Stage[]) {
  // The moves made here, on top of the loaded deals they started from: a new load replaces them in
  // the same render (an effect would first show the board with no deals, then move it).
  const [local, setLocal] = useState<{ base: readonly Deal[] | undefined; deals: readonly Deal[] }>({
    base: loaded,
    deals: loaded ?? [],
  });
  const loadedRef = useRef(loaded);
  loadedRef.current = loaded;
  const deals = local.base === loaded ? local.deals : (loaded ?? []);
  const [announcement, setAnnouncement] = useState('');
  const [notice, setNotice] = useState<string | undefined>();
  // Deals whose move is in flight: a second move would carry a stale version and be refused.
  const [pending, setPending] = useState<ReadonlySet<string>>(new Set());
  const mark = (id: string, busy: boolean) =>
    setPending((current) => {
      const next = new Set(current);
      if (busy) next.add(id);
      else next.delete(id);
      return next;
    });

  const stageName = useCallback(
    (stageId: string) => stages.find((stage) => stage.id === stageId)?.name ?? stageId,
    [stages],
  );
  const replace = (next: Deal) =>
    setLocal((current) => {
      const base = loadedRef.current;
      const from = current.base === base ? current.deals : (base ?? []);
      return { base, deals: from.map((deal) => (deal.id === next.id ? next : deal)) };
    });

  const move = useCallback(
    async (deal: Deal, stageId: string, lostReason?: string): Promise<MoveOutcome> => {
      if (deal.stageId === stageId) return { ok: true };
      setNotice(undefined);
      mark(deal.id, true);
      replace({ ...deal, stageId });
      setAnnouncement(t('pipeline.moving', { deal: deal.name }));
      try {
        const updated = await ok(
          api().PATCH('/deals/{id}', {
            params: { path: { id: deal.id }, header: { 'If-Match': dealEtag(deal) } },
            body: { stageId, ...(lostReason ? { lostReason } : {}) },
          }),
        );
        replace(updated);
        setAnnouncement(t('pipeline.moved', { deal: updated.name, stage: stageName(stageId) }));
        return { ok: true };
      } catch (error) {
        const problem = asProblem(error);
        replace(deal);
        const message =
          problem.status === 412
            ? t('pipeline.conflict', { deal: deal.name, stage: stageName(deal.stageId) })
            : t('pipeline.refused', {
                deal: deal.name,
                stage: stageName(stageId),
                reason: problem.fieldError('lostReason') ?? problemMessage(problem),
              });
        setNotice(message);
        setAnnouncement(message);
        if (problem.status === 412) await refresh(deal.id);
        return { ok: false, problem };
      } finally {
        mark(deal.id, false);
      }
    },
    [stageName],
  );

  /** After a conflict the card shows the deal as it is now (its stage, name and version). */
  const refresh = async (id: string) => {
    try {
      replace(await ok(api().GET('/deals/{id}', { params: { path: { id } } })));
    } catch {
      // The notice already says what happened; a reload of the page shows the rest.
    }
  };

  return { deals, pending, move, announcement, notice, dismissNotice: () => setNotice(undefined) };
}
