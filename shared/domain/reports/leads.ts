import { type Counters, isLive, type ReportAggregate } from './aggregate.ts';
import { customGroupContributions } from './custom-groups.ts';
import { average, counter, rate, SECONDS_PER_DAY } from './figures.ts';
import { dayOf, secondsBetween, text } from './image.ts';
import { periodContributions } from './periods.ts';
import { UNASSIGNED } from './sales.ts';

/**
 * Leads (`GET /reports/leads?groupBy=`, SPEC "Reports"): a cohort by the day each lead was
 * created. Of the leads created in the period, how many were converted
 * (have `convertedAt`) and how long conversion took, whenever it happened.
 * Keys are `<dimension>#<created day>[#<value>]`: `source#2026-03-02#web`,
 * `owner#2026-03-02#<userId>`, `month#2026-03-02`. A lead without a source
 * groups under `none`; an archived lead leaves the report (erasure deletes
 * the lead, which takes its counts away too).
 *
 * Counters per item: `created`, `converted` and `convertSeconds` (seconds from
 * createdAt to convertedAt summed over the converted leads).
 */
export const leadDimensions = ['source', 'month', 'owner'] as const;
export type LeadDimension = (typeof leadDimensions)[number];

export const leadsAggregate: ReportAggregate = {
  report: 'leads',
  entities: ['lead'],
  contribute(image) {
    if (!isLive(image, ['lead'])) return [];
    const createdAt = text(image, 'createdAt');
    const day = dayOf(createdAt);
    if (!day) return [];
    const convertedAt = dayOf(text(image, 'convertedAt')) ? text(image, 'convertedAt') : undefined;
    const seconds = secondsBetween(createdAt, convertedAt);
    const counters: Counters = {
      created: 1,
      ...(seconds !== undefined ? { converted: 1, convertSeconds: seconds } : {}),
    };
    return [
      ...periodContributions('leads', day, counters, {
        source: text(image, 'source') ?? UNASSIGNED,
        owner: text(image, 'ownerId') ?? UNASSIGNED,
      }),
      ...customGroupContributions('leads', image, day, counters),
    ];
  },
};

/** One row of `GET /reports/leads`. */
export interface LeadsRow {
  readonly key: string;
  readonly created: number;
  readonly converted: number;
  /** converted / created, 0..1 with 4 digits (0 without leads). */
  readonly conversionRate: number;
  /** Mean days from creation to conversion of the converted leads, 1 decimal; null when none converted. */
  readonly avgDaysToConvert: number | null;
}

/** A row from the summed counters of one group (rates and averages as SPEC "Reports" rounds them). */
export function leadsRow(key: string, counters: Counters): LeadsRow {
  const created = counter(counters, 'created');
  const converted = counter(counters, 'converted');
  return {
    key,
    created,
    converted,
    conversionRate: rate(converted, created),
    avgDaysToConvert: average(counter(counters, 'convertSeconds') / SECONDS_PER_DAY, converted, 1),
  };
}
