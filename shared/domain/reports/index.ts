import { activitiesAggregate } from './activities.ts';
import type { ReportAggregate } from './aggregate.ts';
import { campaignActivityAggregate, campaignsAggregate } from './campaigns.ts';
import { casesAggregate } from './cases.ts';
import { customersAggregate, engagementAggregate } from './customers.ts';
import { forecastAggregate } from './forecast.ts';
import { leadsAggregate } from './leads.ts';
import { overviewAggregate } from './overview.ts';
import { pipelineAggregate } from './pipeline.ts';
import { salesAggregate } from './sales.ts';
import { vocabularyAggregate } from './vocabulary.ts';
import { winRateAggregate } from './win-rate.ts';

/**
 * Every report aggregate the stream keeps and the rebuild recomputes. A new
 * report adds its aggregate here; nothing else needs to know it.
 */
export const reportAggregates: readonly ReportAggregate[] = [
  overviewAggregate,
  salesAggregate,
  leadsAggregate,
  casesAggregate,
  activitiesAggregate,
  pipelineAggregate,
  winRateAggregate,
  forecastAggregate,
  campaignsAggregate,
  campaignActivityAggregate,
  customersAggregate,
  engagementAggregate,
  vocabularyAggregate,
];

/** The entities whose records feed some report: what a rebuild reads. */
export const reportedEntities = (): string[] =>
  [...new Set(reportAggregates.flatMap((a) => a.entities))].sort();
