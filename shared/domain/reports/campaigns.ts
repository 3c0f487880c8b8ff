import { type CampaignCounter, type CampaignStats, recipientCounters } from '../campaign.ts';
import type { DeliveryStatus } from '../delivery.ts';
import { fromMinor, toMinor } from '../money.ts';
import {
  type Contribution,
  type Counters,
  groupKey,
  type Image,
  isLive,
  type ReportAggregate,
} from './aggregate.ts';
import { counter, moneyByCurrency } from './figures.ts';
import { dayOf, hourOf, money, moneyCounter, text } from './image.ts';

/**
 * Campaign reports (SPEC "Reports"): `GET /reports/campaigns` and
 * `GET /reports/campaigns/{id}/timeseries`.
 *
 * Report `campaigns`, two kinds of items:
 * - `started#<YYYY-MM-DD>#<campaignId>` `{started: 1}` from a live campaign
 *   with a `startedAt`: which campaigns started on a day (one Query per
 *   period); their name, status, budget and cost are read with their records
 *   and their stats with the campaign's counters item, both by id.
 * - `deals#<campaignId>` `{influenced, won, wonAmount#<currency>}` from live
 *   deals attributed to the campaign (`campaignId`): influenced deals, those
 *   won and their amount in minor units per currency.
 *
 * Report `campaign-activity`: `<campaignId>#<YYYY-MM-DDTHH>` (UTC hour)
 * `{humanOpens, clicks, machineOpens}` from campaign deliveries: a recipient
 * counts once in the hour of its first open (a person's), first click and
 * first machine open, exactly when the campaign's stats count it
 * (recipientCounters), so a time series sums to the stats.
 */
export const CAMPAIGNS_REPORT = 'campaigns';
export const CAMPAIGN_ACTIVITY_REPORT = 'campaign-activity';

export const STARTED = 'started';
export const DEALS = 'deals';

export const campaignsAggregate: ReportAggregate = {
  report: CAMPAIGNS_REPORT,
  entities: ['campaign', 'deal'],
  contribute(image) {
    if (image.entity === 'campaign') {
      if (!isLive(image, ['campaign'])) return [];
      const day = dayOf(text(image, 'startedAt'));
      const id = text(image, 'id');
      return day && id
        ? [{ report: CAMPAIGNS_REPORT, key: groupKey(STARTED, day, id), counters: { started: 1 } }]
        : [];
    }
    if (!isLive(image, ['deal'])) return [];
    const campaignId = text(image, 'campaignId');
    if (!campaignId) return [];
    const counters: Record<string, number> = { influenced: 1 };
    if (image.status === 'won') {
      counters.won = 1;
      const amount = money(image);
      if (amount) counters[moneyCounter('wonAmount', amount.currency)] = amount.minor;
    }
    return [{ report: CAMPAIGNS_REPORT, key: groupKey(DEALS, campaignId), counters }];
  },
};

/** The delivery fields recipientCounters reads, taken from an image only when they have the right type. */
function deliveryState(image: Image) {
  const at = (field: string) => text(image, field);
  const state = {
    status: text(image, 'status') as DeliveryStatus | undefined,
    deliveredAt: at('deliveredAt'),
    openedAt: at('openedAt'),
    machineOpenedAt: at('machineOpenedAt'),
    clickedAt: at('clickedAt'),
    bouncedAt: at('bouncedAt'),
    complainedAt: at('complainedAt'),
    unsubscribedAt: at('unsubscribedAt'),
    rejectedAt: at('rejectedAt'),
  };
  return Object.fromEntries(Object.entries(state).filter(([, value]) => value !== undefined));
}

/** The time series counters and the moment each is bucketed by. */
const activity: readonly {
  counter: CampaignCounter;
  name: string;
  at: (image: Image) => string | undefined;
}[] = [
  // A click is an open too (tracking records both); an older delivery may hold only the click.
  {
    counter: 'opened',
    name: 'humanOpens',
    at: (image) => text(image, 'openedAt') ?? text(image, 'clickedAt'),
  },
  { counter: 'clicked', name: 'clicks', at: (image) => text(image, 'clickedAt') },
  { counter: 'machineOpened', name: 'machineOpens', at: (image) => text(image, 'machineOpenedAt') },
];

export const campaignActivityAggregate: ReportAggregate = {
  report: CAMPAIGN_ACTIVITY_REPORT,
  entities: ['delivery'],
  contribute(image) {
    if (!isLive(image, ['delivery']) || image.kind !== 'campaign') return [];
    const campaignId = text(image, 'campaignId');
    if (!campaignId) return [];
    const counted = recipientCounters(deliveryState(image));
    const result: Contribution[] = [];
    for (const { counter: name, name: field, at } of activity) {
      const hour = counted.has(name) ? hourOf(at(image)) : undefined;
      if (hour)
        result.push({
          report: CAMPAIGN_ACTIVITY_REPORT,
          key: groupKey(campaignId, hour),
          counters: { [field]: 1 },
        });
    }
    return result;
  },
};

/** Key bounds of one campaign's activity items. */
export const activityPrefix = (campaignId: string): string => `${groupKey(campaignId)}#`;

export const timeseriesBuckets = ['hour', 'day'] as const;
export type TimeseriesBucket = (typeof timeseriesBuckets)[number];

/** One bucket of `GET /reports/campaigns/{id}/timeseries`. */
export interface TimeseriesPoint {
  /** The bucket's start: `YYYY-MM-DDTHH:00:00.000Z` by hour, `YYYY-MM-DD` by day (UTC). */
  readonly start: string;
  readonly humanOpens: number;
  readonly clicks: number;
  readonly machineOpens: number;
}

/**
 * Sums a campaign's hourly activity items (keys `<campaignId>#<YYYY-MM-DDTHH>`)
 * into buckets, oldest first. Only buckets with activity are listed.
 */
export function timeseries(
  items: ReadonlyMap<string, Counters>,
  bucket: TimeseriesBucket,
): TimeseriesPoint[] {
  const sums = new Map<string, { humanOpens: number; clicks: number; machineOpens: number }>();
  for (const [key, counters] of items) {
    const hour = key.slice(key.lastIndexOf('#') + 1);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}$/.test(hour)) continue;
    const start = bucket === 'day' ? hour.slice(0, 10) : `${hour}:00:00.000Z`;
    const sum = sums.get(start) ?? { humanOpens: 0, clicks: 0, machineOpens: 0 };
    sum.humanOpens += counter(counters, 'humanOpens');
    sum.clicks += counter(counters, 'clicks');
    sum.machineOpens += counter(counters, 'machineOpens');
    sums.set(start, sum);
  }
  return [...sums]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .filter(([, sum]) => sum.humanOpens !== 0 || sum.clicks !== 0 || sum.machineOpens !== 0)
    .map(([start, sum]) => ({ start, ...sum }));
}

/** The ids of the campaigns started in a period, from `started#<day>#<id>` items, oldest start first. */
export function startedCampaignIds(items: ReadonlyMap<string, Counters>): string[] {
  const ids: string[] = [];
  for (const [key, counters] of items) {
    const [kind, , id] = key.split('#');
    if (kind === STARTED && id && counter(counters, 'started') > 0 && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** A campaign's deals as `deals#<id>` counts them. */
export interface CampaignDeals {
  readonly influencedDeals: number;
  readonly wonDeals: number;
  /** Per currency, decimal. */
  readonly wonAmount: Record<string, number>;
}

export function campaignDeals(counters: Counters | undefined): CampaignDeals {
  return {
    influencedDeals: counter(counters, 'influenced'),
    wonDeals: counter(counters, 'won'),
    wonAmount: moneyByCurrency(counters, 'wonAmount'),
  };
}

/**
 * Return on a campaign's cost: (won amount − cost) / cost, in the cost's
 * currency, rounded to 4 digits (0.25 = 25 %; −1 when nothing was won).
 * Null when there is no cost (or it is 0), or when any won amount is in
 * another currency: amounts in different currencies are never converted.
 * `cost` is decimal; `wonAmount` per currency, decimal.
 */
export function roi(
  cost: { readonly amount: number; readonly currency: string } | undefined,
  wonAmount: Readonly<Record<string, number>>,
): number | null {
  if (!cost || cost.amount <= 0) return null;
  if (Object.keys(wonAmount).some((currency) => currency !== cost.currency)) return null;
  const spent = toMinor(cost.amount);
  const won = toMinor(wonAmount[cost.currency] ?? 0);
  return Math.round(((won - spent) / spent) * 10_000) / 10_000;
}

/** What a campaign record brings to its report row (read with the record, by id). */
export interface CampaignFacts {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly startedAt?: string | undefined;
  readonly budget?: number | undefined;
  readonly cost?: number | undefined;
  readonly currency?: string | undefined;
}

/** One row of `GET /reports/campaigns`: money `{currency: decimal}`, or null without an amount. */
export type CampaignReportRow = {
  readonly campaignId: string;
  readonly name: string;
  readonly status: string;
  readonly startedAt: string | null;
  readonly budget: Record<string, number> | null;
  readonly cost: Record<string, number> | null;
  readonly roi: number | null;
} & CampaignStats &
  CampaignDeals;

const inCurrency = (amount: number | undefined, currency: string | undefined) =>
  amount !== undefined && currency ? { [currency]: fromMinor(toMinor(amount)) } : null;

export function campaignReportRow(
  campaign: CampaignFacts,
  stats: CampaignStats,
  deals: Counters | undefined,
): CampaignReportRow {
  const attributed = campaignDeals(deals);
  const cost =
    campaign.cost !== undefined && campaign.currency
      ? { amount: campaign.cost, currency: campaign.currency }
      : undefined;
  return {
    campaignId: campaign.id,
    name: campaign.name,
    status: campaign.status,
    startedAt: campaign.startedAt ?? null,
    ...stats,
    budget: inCurrency(campaign.budget, campaign.currency),
    cost: inCurrency(campaign.cost, campaign.currency),
    ...attributed,
    roi: roi(cost, attributed.wonAmount),
  };
}
