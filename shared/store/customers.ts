import type { Counters } from '../domain/reports/aggregate.ts';
import { groupKey } from '../domain/reports/aggregate.ts';
import {
  ACTIVITY_LOOKBACK_DAYS,
  CUSTOMERS_REPORT,
  type CustomerRow,
  contactDays,
  customerRows,
  ENGAGEMENT_LOOKBACK_DAYS,
  ENGAGEMENT_REPORT,
  engagementDaysById,
  engagementWindow,
  RECENT_DAYS,
  scoreOfDays,
} from '../domain/reports/customers.ts';
import { periodKeys } from '../domain/reports/periods.ts';
import { readReport, through } from './report-aggregates.ts';

/**
 * Customer scores read from the `customers` and `engagement` report
 * aggregates (shared/domain/reports/customers.ts), never from the records.
 */

const todayOf = (now: Date) => now.toISOString().slice(0, 10);

const LAST_DAY = '9999-12-31';
/**
 * The days from the start of a window ending today on, later days included:
 * a time stamped ahead of the clock (an SLA breach at its due time) counts,
 * as the scoring counts it.
 */
const since = (today: string, days: number) => ({ from: engagementWindow(today, days).from, to: LAST_DAY });

/**
 * Every customer of the tenant scored at `now`, in six Queries per shard, run
 * in parallel: the companies' totals and names, their purchase days, their
 * activity days of the last year and SLA breach days of the last 90, and
 * their engagement days of the last 180. What is read grows with the
 * companies (and the distinct days they bought), not with contacts,
 * activities or emails; nothing older than the windows is read.
 */
export async function readCustomers(tenantId: string, now = new Date()): Promise<CustomerRow[]> {
  const today = todayOf(now);
  const [engagement, ...parts] = await Promise.all([
    readReport(
      tenantId,
      ENGAGEMENT_REPORT,
      periodKeys('company', engagementWindow(today, ENGAGEMENT_LOOKBACK_DAYS)),
    ),
    readReport(tenantId, CUSTOMERS_REPORT, { prefix: 'company#' }),
    readReport(tenantId, CUSTOMERS_REPORT, { prefix: 'name#' }),
    readReport(tenantId, CUSTOMERS_REPORT, { prefix: 'purchase#' }),
    readReport(tenantId, CUSTOMERS_REPORT, periodKeys('activity', since(today, ACTIVITY_LOOKBACK_DAYS))),
    readReport(tenantId, CUSTOMERS_REPORT, periodKeys('breach', since(today, RECENT_DAYS))),
  ]);
  return customerRows(new Map(parts.flatMap((part) => [...part])), engagement, now);
}

/**
 * Engagement scores at `now` of every contact that engaged in the last 90
 * days (one Query per shard over the window's `contact#<day>#<id>` items); a
 * contact missing from the map scores 0.
 */
export async function contactEngagementScores(
  tenantId: string,
  now = new Date(),
): Promise<Map<string, number>> {
  const items = await readReport(
    tenantId,
    ENGAGEMENT_REPORT,
    periodKeys('contact', engagementWindow(todayOf(now))),
  );
  return scoresById(items, now);
}

export function scoresById(items: ReadonlyMap<string, Counters>, now: Date): Map<string, number> {
  const scores = new Map<string, number>();
  for (const [id, days] of engagementDaysById(items)) scores.set(id, scoreOfDays(days, now));
  return scores;
}

/** One contact's engagement score at `now` (one Query per shard over its own days of the last 90). */
export async function contactEngagementScore(
  tenantId: string,
  contactId: string,
  now = new Date(),
): Promise<number> {
  const window = engagementWindow(todayOf(now));
  const prefix = groupKey('ofContact', contactId);
  const items = await readReport(tenantId, ENGAGEMENT_REPORT, {
    from: `${prefix}#${window.from}`,
    to: through(`${prefix}#${window.to}`),
  });
  return scoreOfDays(contactDays(items), now);
}
