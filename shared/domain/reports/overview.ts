import { overviewContribution, overviewCounters } from '../overview.ts';
import type { ReportAggregate } from './aggregate.ts';

/** The overview (live record counts, open pipeline per currency) as one aggregate item. */
export const overviewAggregate: ReportAggregate = {
  report: 'overview',
  entities: Object.keys(overviewCounters),
  contribute(image) {
    const counters = Object.fromEntries(overviewContribution(image));
    return Object.keys(counters).length > 0 ? [{ report: 'overview', key: 'overview', counters }] : [];
  },
};
