import type { PipelineShape, Stage, StageKind } from './pipeline.ts';
import { findStage, stageKinds } from './pipeline.ts';

/** A deal's status is the kind of the stage it is in (open, won, lost). */
export const dealStatuses = stageKinds;
export type DealStatus = StageKind;

export interface DealState {
  readonly pipelineId: string;
  readonly stageId: string;
  readonly status: DealStatus;
  readonly probability: number;
  readonly closedAt?: string;
  readonly lostReason?: string;
  /** When the deal entered its current stage (the pipeline report's days in stage). */
  readonly stageEnteredAt?: string;
}

export type StageMove<T> = { ok: true; deal: T } | { ok: false; path: string; message: string };

/**
 * Puts a deal into a stage of its pipeline: status and probability follow the
 * stage; entering won or lost sets `closedAt` (lost needs a reason); reopening
 * clears both. `stageEnteredAt` becomes `now` when the stage changes (or was
 * never set) and stays otherwise.
 */
export function moveToStage<T extends DealState>(
  deal: T,
  pipeline: PipelineShape,
  stageId: string,
  now: string,
  lostReason?: string,
): StageMove<T> {
  const stage: Stage | undefined = findStage(pipeline, stageId);
  if (!stage) return { ok: false, path: 'stageId', message: 'is not a stage of the deal’s pipeline' };
  const reason = lostReason ?? deal.lostReason;
  if (stage.kind === 'lost' && !reason)
    return { ok: false, path: 'lostReason', message: 'is required to enter a lost stage' };
  const { closedAt: _closedAt, lostReason: _lostReason, ...rest } = deal;
  const closing = stage.kind !== 'open';
  const stayedClosed = closing && deal.status === stage.kind && deal.stageId === stage.id;
  return {
    ok: true,
    deal: {
      ...rest,
      pipelineId: pipeline.id,
      stageId: stage.id,
      status: stage.kind,
      probability: stage.probability,
      stageEnteredAt: deal.stageId === stage.id && deal.stageEnteredAt ? deal.stageEnteredAt : now,
      ...(closing ? { closedAt: stayedClosed && deal.closedAt ? deal.closedAt : now } : {}),
      ...(stage.kind === 'lost' ? { lostReason: reason } : {}),
    } as unknown as T,
  };
}
