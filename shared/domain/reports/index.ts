import type { ReportAggregate } from './aggregate.ts';
import { customersAggregate, engagementAggregate } from './customers.ts';
import { overviewAggregate } from './overview.ts';
import { salesAggregate } from './sales.ts';

/**
 * Every report aggregate the stream keeps and the rebuild recomputes. A new
 * report adds its aggregate here; nothing else needs to know it.
 */
export const reportAggregates: readonly ReportAggregate[] = [
  overviewAggregate,
  salesAggregate,
  customersAggregate,
  engagementAggregate,
];

/** The entities whose records feed some report: what a rebuild reads. */
export const reportedEntities = (): string[] =>
  [...new Set(reportAggregates.flatMap((a) => a.entities))].sort();
