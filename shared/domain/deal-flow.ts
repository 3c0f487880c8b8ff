import type { PipelineShape } from './pipeline.ts';

/**
 * What a stage change means for the pipeline report's flow: a move `advanced`
 * the deal when it reached the won stage, or a later open stage (by the
 * pipeline's order) from an open stage of the same pipeline. Moving back,
 * losing, reopening a closed deal or leaving for another pipeline does not.
 */
export function advances(
  from: { pipeline: PipelineShape; stageId: string },
  to: { pipeline: PipelineShape; stageId: string },
): boolean {
  const target = to.pipeline.stages.findIndex((stage) => stage.id === to.stageId);
  const kind = to.pipeline.stages[target]?.kind;
  if (kind === 'won') return from.stageId !== to.stageId;
  if (kind !== 'open' || from.pipeline.id !== to.pipeline.id) return false;
  const origin = from.pipeline.stages.findIndex((stage) => stage.id === from.stageId);
  return from.pipeline.stages[origin]?.kind === 'open' && target > origin;
}
