import type { Counters } from '../domain/reports/aggregate.ts';
import { groupKey } from '../domain/reports/aggregate.ts';
import {
  CUSTOMERS_REPORT,
  type CustomerRow,
  contactDays,
  customerRows,
  ENGAGEMENT_LOOKBACK_DAYS,
  ENGAGEMENT_REPORT,
  engagementDaysById,
  engagementWindow,
  scoreOfDays,
} from '../domain/reports/customers.ts';
import { periodKeys } from '../domain/reports/periods.ts';
import { readReport, through } from './report-aggregates.ts';

/**
 * Customer scores read from the `customers` and `engagement` report
 * aggregates (shared/domain/reports/customers.ts), never from the records.
 */

const todayOf = (now: Date) => now.toISOString().slice(0, 10);

/**
 * Every customer of the tenant scored at `now`: one Query per shard of the
 * `customers` partition (its items grow with companies and the days they
 * bought, were active or breached an SLA, not with records) and one per shard
 * of the companies' engagement days of the last 180 days.
 */
export async function readCustomers(tenantId: string, now = new Date()): Promise<CustomerRow[]> {
  const window = engagementWindow(todayOf(now), ENGAGEMENT_LOOKBACK_DAYS);
  const [customers, engagement] = await Promise.all([
    readReport(tenantId, CUSTOMERS_REPORT),
    readReport(tenantId, ENGAGEMENT_REPORT, periodKeys('company', window)),
  ]);
  return customerRows(customers, engagement, now);
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

/**
 * Contacts as clients see them, each with its `engagementScore` (0-100) at
 * `now`: one contact reads its own days; a list reads the window of every
 * contact that engaged in the last 90 days once (so its cost grows with those,
 * not with the page).
 */
export async function withEngagementScores<T extends { readonly id: string }>(
  tenantId: string,
  contacts: readonly T[],
  now = new Date(),
): Promise<(T & { engagementScore: number })[]> {
  if (contacts.length === 0) return [];
  const [only] = contacts;
  if (contacts.length === 1 && only)
    return [{ ...only, engagementScore: await contactEngagementScore(tenantId, only.id, now) }];
  const scores = await contactEngagementScores(tenantId, now);
  return contacts.map((contact) => ({ ...contact, engagementScore: scores.get(contact.id) ?? 0 }));
}
