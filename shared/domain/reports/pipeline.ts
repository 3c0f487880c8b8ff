import type { PipelineShape } from '../pipeline.ts';
import {
  type Contribution,
  type Counters,
  groupKey,
  type Image,
  isLive,
  type ReportAggregate,
} from './aggregate.ts';
import { average, counter, moneyByCurrency, rate, SECONDS_PER_DAY } from './figures.ts';
import { money, moneyCounter, number, text } from './image.ts';

/**
 * The pipeline report (`GET /reports/pipeline`), one item per stage keyed
 * `<pipelineId>#<stageId>`, so one Query on the prefix `<pipelineId>#` reads a
 * pipeline. Two kinds of records feed it:
 *
 * - live deals, by the stage they are in now: `count`, `amount#<CUR>` (minor
 *   units) and `weighted#<CUR>` (minor units × probability percent, divided
 *   by 100 when read);
 * - deal history entries (immutable facts written with each stage change,
 *   shared/store/deals.ts), for the flow: `entered` for the stage entered,
 *   and for the stage left `left`, `advanced` (the move advanced the deal, see
 *   shared/domain/deal-flow.ts), `timed` and `seconds` (leaves whose time in
 *   the stage is known, and that time).
 *
 * A deal moved to another pipeline leaves its stage in the old pipeline (a
 * leave that did not advance) and enters the new pipeline's stage; its
 * current-state counters move with it. Archiving a deal takes it out of the
 * current state; its history stays, as moves that happened.
 */
export const PIPELINE_REPORT = 'pipeline';

function dealContribution(image: Image): Contribution[] {
  if (!isLive(image, ['deal'])) return [];
  const pipelineId = text(image, 'pipelineId');
  const stageId = text(image, 'stageId');
  if (!pipelineId || !stageId) return [];
  const deal = money(image);
  const probability = number(image, 'probability') ?? 0;
  const weight = Number.isInteger(probability) && probability >= 0 && probability <= 100 ? probability : 0;
  return [
    {
      report: PIPELINE_REPORT,
      key: groupKey(pipelineId, stageId),
      counters: {
        count: 1,
        ...(deal
          ? {
              [moneyCounter('amount', deal.currency)]: deal.minor,
              [moneyCounter('weighted', deal.currency)]: deal.minor * weight,
            }
          : {}),
      },
    },
  ];
}

/** The stage id of a history entry's `from`/`to` (`{stageId, name}`), or undefined. */
function stageIdOf(image: Image, field: 'from' | 'to'): string | undefined {
  const ref = image[field];
  if (typeof ref !== 'object' || ref === null) return undefined;
  const stageId = (ref as Record<string, unknown>).stageId;
  return typeof stageId === 'string' && stageId !== '' ? stageId : undefined;
}

function historyContribution(image: Image): Contribution[] {
  if (image.entity !== 'deal-history' || typeof image.tenantId !== 'string') return [];
  const result: Contribution[] = [];
  const pipelineId = text(image, 'pipelineId');
  const entered = stageIdOf(image, 'to');
  if (pipelineId && entered)
    result.push({ report: PIPELINE_REPORT, key: groupKey(pipelineId, entered), counters: { entered: 1 } });
  const fromPipelineId = text(image, 'fromPipelineId');
  const left = stageIdOf(image, 'from');
  if (fromPipelineId && left) {
    const seconds = number(image, 'secondsInStage');
    const timed = seconds !== undefined && Number.isSafeInteger(seconds) && seconds >= 0;
    result.push({
      report: PIPELINE_REPORT,
      key: groupKey(fromPipelineId, left),
      counters: {
        left: 1,
        ...(image.advanced === true ? { advanced: 1 } : {}),
        ...(timed ? { timed: 1, seconds } : {}),
      },
    });
  }
  return result;
}

export const pipelineAggregate: ReportAggregate = {
  report: PIPELINE_REPORT,
  entities: ['deal', 'deal-history'],
  contribute: (image) => (image.entity === 'deal' ? dealContribution(image) : historyContribution(image)),
};

/** One stage of `GET /reports/pipeline`. */
export interface PipelineStageRow {
  readonly stageId: string;
  readonly name: string;
  /** Live deals in the stage now, their amount and weighted amount per currency. */
  readonly count: number;
  readonly amount: Record<string, number>;
  readonly weightedAmount: Record<string, number>;
  /** Deals that ever entered the stage, and those that left it by advancing. */
  readonly enteredCount: number;
  readonly advancedCount: number;
  /** advancedCount / enteredCount, 4 digits. */
  readonly conversionRate: number;
  /** Average days a deal spent in the stage before leaving it (1 decimal); null when none left. */
  readonly avgDaysInStage: number | null;
}

/**
 * The report's rows in the pipeline's stage order, named as the pipeline names
 * them now; `items` maps group keys (`<pipelineId>#<stageId>`) to counters.
 * Stages removed from the pipeline are not shown.
 */
export function pipelineRows(
  pipeline: PipelineShape,
  items: ReadonlyMap<string, Counters>,
): PipelineStageRow[] {
  return pipeline.stages.map((stage) => {
    const counters = items.get(groupKey(pipeline.id, stage.id));
    const entered = counter(counters, 'entered');
    const advanced = counter(counters, 'advanced');
    return {
      stageId: stage.id,
      name: stage.name,
      count: counter(counters, 'count'),
      amount: moneyByCurrency(counters, 'amount'),
      weightedAmount: moneyByCurrency(counters, 'weighted', 100),
      enteredCount: entered,
      advancedCount: advanced,
      conversionRate: rate(advanced, entered),
      avgDaysInStage: average(counter(counters, 'seconds') / SECONDS_PER_DAY, counter(counters, 'timed')),
    };
  });
}

/** Bounds of one pipeline's items in the report. */
export const pipelinePrefix = (pipelineId: string): string => `${groupKey(pipelineId)}#`;
