import { type Counters, type Image, isLive, type ReportAggregate } from './aggregate.ts';
import { average, counter, rate, SECONDS_PER_HOUR } from './figures.ts';
import { dayOf, number, secondsBetween, text } from './image.ts';
import { periodContributions } from './periods.ts';
import { UNASSIGNED } from './sales.ts';

/**
 * Service cases (`GET /reports/cases?groupBy=`, SPEC "Reports"): a cohort by the day each
 * case was opened (`createdAt`). Keys are `<dimension>#<created day>[#<value>]`:
 * `type#2026-03-02#complaint`, `status#2026-03-02#open`,
 * `assignee#2026-03-02#<userId>`, `month#2026-03-02`.
 *
 * Counters per item, read from the case's current image (shared/domain/cases.ts):
 * - `opened`: 1 per case.
 * - `resolved`: the case is `resolved` or `closed`; `resolutionSeconds` sums
 *   the seconds from `createdAt` to `resolvedAt` (to `closedAt` for a case
 *   closed without being resolved). Reopening removes `resolvedAt`, so a
 *   reopened case counts as unresolved until it is resolved again.
 * - `slaBreaches`: the case has `slaBreachedAt` (reopening restarts the SLA
 *   clock and clears an earlier breach, as the case itself does).
 * - `csatSum`/`csatCount`: its satisfaction score (an integer 1-5), when answered.
 * An archived case leaves the report.
 */
export const caseDimensions = ['type', 'status', 'month', 'assignee'] as const;
export type CaseDimension = (typeof caseDimensions)[number];

const CSAT_MIN = 1;
const CSAT_MAX = 5;

/** What one live case adds to each of its items (see the module's comment). */
function caseCounters(image: Image, createdAt: string): Counters {
  const status = text(image, 'status');
  const resolvedAt =
    status === 'resolved' || status === 'closed'
      ? (text(image, 'resolvedAt') ?? text(image, 'closedAt'))
      : undefined;
  const resolutionSeconds = secondsBetween(createdAt, resolvedAt);
  const csat = number(image, 'csatScore');
  const answered = csat !== undefined && Number.isInteger(csat) && csat >= CSAT_MIN && csat <= CSAT_MAX;
  return {
    opened: 1,
    ...(resolutionSeconds !== undefined ? { resolved: 1, resolutionSeconds } : {}),
    ...(dayOf(text(image, 'slaBreachedAt')) ? { slaBreaches: 1 } : {}),
    ...(answered ? { csatSum: csat, csatCount: 1 } : {}),
  };
}

export const casesAggregate: ReportAggregate = {
  report: 'cases',
  entities: ['case'],
  contribute(image) {
    if (!isLive(image, ['case'])) return [];
    const createdAt = text(image, 'createdAt');
    const day = dayOf(createdAt);
    if (!createdAt || !day) return [];
    const counters = caseCounters(image, createdAt);
    return periodContributions('cases', day, counters, {
      type: text(image, 'type') ?? UNASSIGNED,
      status: text(image, 'status') ?? UNASSIGNED,
      assignee: text(image, 'assigneeId') ?? text(image, 'ownerId') ?? UNASSIGNED,
    });
  },
};

/** One row of `GET /reports/cases`. */
export interface CasesRow {
  readonly key: string;
  readonly opened: number;
  readonly resolved: number;
  readonly slaBreaches: number;
  /** slaBreaches / opened, 0..1 with 4 digits. */
  readonly slaBreachRate: number;
  /** Mean hours from opening to resolution of the resolved cases, 1 decimal; null when none. */
  readonly avgResolutionHours: number | null;
  /** Mean satisfaction score, 2 decimals; null without answers. */
  readonly csatAvg: number | null;
  readonly csatCount: number;
}

/** A row from the summed counters of one group (rates and averages as SPEC "Reports" rounds them). */
export function casesRow(key: string, counters: Counters): CasesRow {
  const opened = counter(counters, 'opened');
  const resolved = counter(counters, 'resolved');
  const slaBreaches = counter(counters, 'slaBreaches');
  const csatCount = counter(counters, 'csatCount');
  return {
    key,
    opened,
    resolved,
    slaBreaches,
    slaBreachRate: rate(slaBreaches, opened),
    avgResolutionHours: average(counter(counters, 'resolutionSeconds') / SECONDS_PER_HOUR, resolved, 1),
    csatAvg: average(counter(counters, 'csatSum'), csatCount, 2),
    csatCount,
  };
}
