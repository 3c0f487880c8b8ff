/**
 * Pipelines and their stages. A pipeline has exactly one won stage and at least
 * one lost stage; every other stage is open. A deal's status follows the kind
 * of the stage it is in.
 */
export const stageKinds = ['open', 'won', 'lost'] as const;
export type StageKind = (typeof stageKinds)[number];

export interface Stage {
  readonly id: string;
  readonly name: string;
  /** Percent chance of winning, 0-100; weights the pipeline forecast. */
  readonly probability: number;
  readonly kind: StageKind;
}

export interface PipelineShape {
  readonly id: string;
  readonly name: string;
  readonly stages: readonly Stage[];
}

export const defaultStageSpecs: readonly Omit<Stage, 'id'>[] = [
  { name: 'prospecting', probability: 10, kind: 'open' },
  { name: 'qualification', probability: 20, kind: 'open' },
  { name: 'proposal', probability: 50, kind: 'open' },
  { name: 'negotiation', probability: 80, kind: 'open' },
  { name: 'won', probability: 100, kind: 'won' },
  { name: 'lost', probability: 0, kind: 'lost' },
];

/** Problems with a list of stages, as `{ path, message }` entries relative to `stages`. */
export function stageProblems(stages: readonly Omit<Stage, 'id'>[]): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const won = stages.filter((stage) => stage.kind === 'won').length;
  if (won !== 1) problems.push({ path: 'stages', message: `must have exactly one won stage (found ${won})` });
  if (!stages.some((stage) => stage.kind === 'lost'))
    problems.push({ path: 'stages', message: 'must have at least one lost stage' });
  if (!stages.some((stage) => stage.kind === 'open'))
    problems.push({ path: 'stages', message: 'must have at least one open stage' });
  const seen = new Set<string>();
  stages.forEach((stage, index) => {
    const name = stage.name.toLowerCase();
    if (seen.has(name))
      problems.push({ path: `stages.${index}.name`, message: 'must be unique in the pipeline' });
    seen.add(name);
  });
  return problems;
}

export const findStage = (pipeline: PipelineShape, stageId: string): Stage | undefined =>
  pipeline.stages.find((stage) => stage.id === stageId);

/** Where a new deal starts when no stage is given: the first open stage. */
export const entryStage = (pipeline: PipelineShape): Stage | undefined =>
  pipeline.stages.find((stage) => stage.kind === 'open');

export const wonStage = (pipeline: PipelineShape): Stage | undefined =>
  pipeline.stages.find((stage) => stage.kind === 'won');
